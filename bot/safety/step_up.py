"""Step-up verification: a one-time code to a contact on file before money or a contract moves.

* `list_channels` - the customer's contacts, masked, with opaque ids (HMAC of the contact).
* `send_code` - a 6-digit code from `secrets`, sent through the outbox; only an HMAC of it is
  stored. It lasts `code_minutes` (5); `max_attempts` (3) wrong answers burn it; asking for a
  new one replaces the old one; at most `max_codes_per_hour` (5) per account.
* `verify_code` - answers `verified`, `failed`, `expired` or `locked`. `verified` marks the
  (conversation, account) as stepped up for `grant_minutes` (15).
* `require_step_up` - what a write service calls; raises StepUpRequired (403 step_up_required).

Codes never appear in logs, audit details or answers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from bot.billing.models import Contact
from bot.billing.types import ContactKind
from bot.core.errors import NotFound, StepUpRequired, TooManyRequests
from bot.safety.audit import audit_write
from bot.safety.idempotency import StoredResponse, commit_once, replay
from bot.safety.masking import mask_email, mask_phone
from bot.safety.models import StepUpChallenge, StepUpGrant
from bot.safety.outbox import MessageSender, dispatch, enqueue
from bot.safety.schemas import ChannelList, ChannelOut, CodeSent, StepUpResult, StepUpStatus
from bot.safety.types import ChallengeState, OutboxChannel

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.safety.context import WriteContext

logger = logging.getLogger(__name__)
CODE_DIGITS = 6


@dataclass(frozen=True, slots=True)
class StepUpPolicy:
    secret: bytes
    code_minutes: int = 5
    max_attempts: int = 3
    grant_minutes: int = 15
    max_codes_per_hour: int = 5


def _hmac(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def _channel_id(policy: StepUpPolicy, account_id: int, contact_id: int) -> str:
    return "ch_" + _hmac(policy.secret, f"channel:{account_id}:{contact_id}")[:16]


def _channel(policy: StepUpPolicy, account_id: int, contact: Contact) -> ChannelOut:
    if contact.kind is ContactKind.EMAIL:
        return ChannelOut(
            id=_channel_id(policy, account_id, contact.id),
            kind="email",
            masked=mask_email(contact.value),
        )
    return ChannelOut(
        id=_channel_id(policy, account_id, contact.id), kind="sms", masked=mask_phone(contact.value)
    )


def _contacts(session: Session, account: Account) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact).where(Contact.customer_id == account.customer_id).order_by(Contact.id)
        )
    )


def list_channels(session: Session, account: Account, policy: StepUpPolicy) -> ChannelList:
    """Where a code can go: each contact on file, masked, with an opaque id."""
    return ChannelList(
        channels=[_channel(policy, account.id, c) for c in _contacts(session, account)]
    )


def _code_hash(policy: StepUpPolicy, salt: str, code: str) -> str:
    return _hmac(policy.secret, f"code:{salt}:{code}")


def _check_rate(session: Session, account_id: int, now: datetime, policy: StepUpPolicy) -> None:
    recent = session.scalar(
        select(func.count())
        .select_from(StepUpChallenge)
        .where(
            StepUpChallenge.account_id == account_id,
            StepUpChallenge.created_at > now - timedelta(hours=1),
        )
    )
    if int(recent or 0) >= policy.max_codes_per_hour:
        raise TooManyRequests("too many codes in the last hour; try again later")


def _message(code: str, minutes: int) -> str:
    return (
        f"Your verification code is {code}. It expires in {minutes} minutes. "
        "We will never ask you to read this code to anyone."
    )


def send_code(
    session: Session,
    ctx: WriteContext,
    channel_id: str,
    policy: StepUpPolicy,
    sender: MessageSender,
) -> StoredResponse:
    """Create a code for the chosen channel, queue its message, then offer it to `sender`."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    account = ctx.account
    chosen = [
        c
        for c in _contacts(session, account)
        if _channel_id(policy, account.id, c.id) == channel_id
    ]
    if not chosen:
        raise NotFound("no such channel for this account")
    contact = chosen[0]
    _check_rate(session, account.id, ctx.now, policy)
    session.execute(
        update(StepUpChallenge)
        .where(
            StepUpChallenge.account_id == account.id,
            StepUpChallenge.conversation_id == ctx.conversation_id,
            StepUpChallenge.state == ChallengeState.PENDING,
        )
        .values(state=ChallengeState.SUPERSEDED)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    expires = ctx.now + timedelta(minutes=policy.code_minutes)
    challenge = StepUpChallenge(
        account_id=account.id,
        conversation_id=ctx.conversation_id,
        contact_id=contact.id,
        salt=salt,
        code_hash=_code_hash(policy, salt, code),
        failed_attempts=0,
        state=ChallengeState.PENDING,
        created_at=ctx.now,
        expires_at=expires,
    )
    session.add(challenge)
    channel = _channel(policy, account.id, contact)
    message = enqueue(
        session,
        account_id=account.id,
        channel=OutboxChannel.EMAIL if channel.kind == "email" else OutboxChannel.SMS,
        recipient=contact.value,
        purpose="step_up_code",
        subject="Your verification code",
        body=_message(code, policy.code_minutes),
        now=ctx.now,
    )
    session.flush()
    audit_write(
        session,
        ctx,
        action="step_up.code_sent",
        reason="one-time code requested before a write",
        details={"challenge_id": challenge.id, "channel": channel.kind, "masked": channel.masked},
    )
    body = CodeSent(status="sent", channel=channel, expires_at=expires)
    result = commit_once(session, ctx.idempotency, ctx.now, 201, body)
    if not result.replayed:
        dispatch(session, message, sender, ctx.now)
        logger.info(
            "step_up.code_sent",
            extra={"conversation_id": ctx.conversation_id, "account_id": account.id},
        )
    return result


def _latest_challenge(session: Session, ctx: WriteContext) -> StepUpChallenge | None:
    return session.scalar(
        select(StepUpChallenge)
        .where(
            StepUpChallenge.account_id == ctx.account.id,
            StepUpChallenge.conversation_id == ctx.conversation_id,
        )
        .order_by(StepUpChallenge.id.desc())
        .limit(1)
    )


def _answer(
    challenge: StepUpChallenge | None, code: str, ctx: WriteContext, policy: StepUpPolicy
) -> StepUpResult:
    """Judge the code against the latest challenge, updating the challenge (not committed)."""
    if challenge is None or challenge.state in (ChallengeState.VERIFIED, ChallengeState.SUPERSEDED):
        return StepUpResult(status="expired", attempts_left=0, valid_until=None)
    if challenge.state is ChallengeState.LOCKED:
        return StepUpResult(status="locked", attempts_left=0, valid_until=None)
    if ctx.now >= challenge.expires_at:
        return StepUpResult(status="expired", attempts_left=0, valid_until=None)
    given = _code_hash(policy, challenge.salt, code)
    if hmac.compare_digest(given, challenge.code_hash):
        challenge.state = ChallengeState.VERIFIED
        until = ctx.now + timedelta(minutes=policy.grant_minutes)
        return StepUpResult(status="verified", attempts_left=None, valid_until=until)
    challenge.failed_attempts += 1
    left = policy.max_attempts - challenge.failed_attempts
    if left <= 0:
        challenge.state = ChallengeState.LOCKED
        return StepUpResult(status="locked", attempts_left=0, valid_until=None)
    return StepUpResult(status="failed", attempts_left=left, valid_until=None)


def verify_code(
    session: Session, ctx: WriteContext, code: str, policy: StepUpPolicy
) -> StepUpResult:
    """Check an answer to this conversation's latest code for the account; record it."""
    challenge = _latest_challenge(session, ctx)
    result = _answer(challenge, code, ctx, policy)
    if challenge is not None and result.valid_until is not None:
        session.add(
            StepUpGrant(
                account_id=ctx.account.id,
                conversation_id=ctx.conversation_id,
                challenge_id=challenge.id,
                created_at=ctx.now,
                expires_at=result.valid_until,
            )
        )
    audit_write(
        session,
        ctx,
        action=f"step_up.{result.status}",
        reason="answer to a one-time code",
        details={"challenge_id": challenge.id if challenge else None},
    )
    session.commit()
    logger.info(
        "step_up.checked",
        extra={"conversation_id": ctx.conversation_id, "outcome": result.status},
    )
    return result


def _grant_until(session: Session, ctx: WriteContext) -> datetime | None:
    until: datetime | None = session.scalar(
        select(func.max(StepUpGrant.expires_at)).where(
            StepUpGrant.account_id == ctx.account.id,
            StepUpGrant.conversation_id == ctx.conversation_id,
        )
    )
    return until if until is not None and until > ctx.now else None


def step_up_status(session: Session, ctx: WriteContext) -> StepUpStatus:
    until = _grant_until(session, ctx)
    return StepUpStatus(stepped_up=until is not None, valid_until=until)


def require_step_up(session: Session, ctx: WriteContext) -> None:
    """Raise StepUpRequired unless this conversation answered a code for this account lately."""
    if _grant_until(session, ctx) is None:
        raise StepUpRequired(
            "this needs a one-time code: ask for one at /step-up/codes, then verify it"
        )
