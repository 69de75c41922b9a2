"""Identity checks of a conversation against an account, and the sessions they open.

A date of birth verifies alone. A postcode verifies only together with the total of the
account's latest invoice, judged as one attempt: the bot first hands the postcode over to be
held (`hold_postcode`, no lookup, nothing judged), asks for the amount, then sends the amount.
Attempts are counted per account number, conversation and client address in the database
(`verification_limits` serialises them), so a new conversation cannot reset a lock, and an
unknown account number, a wrong postcode or a postcode without an amount is answered, counted
and worked on exactly like any other failure. Secrets are compared in constant time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.billing.lockout import LockState, lock_state
from bot.billing.models import Account, Customer, PostcodeHold, VerificationAttempt, VerifiedSession
from bot.billing.schemas import (
    PostcodeHoldRequest,
    VerificationRequest,
    VerificationResult,
    VerifiedCustomer,
)
from bot.billing.types import VerificationFactor
from bot.billing.verification_factors import client_key, factors_match, postcode_digest
from bot.billing.verification_limits import Scope, alert_on_burst, guard, throttle_state
from bot.core.errors import NotVerified

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    secret: bytes = field(repr=False)  # keys the postcode holds and the client address hashes
    max_attempts: int = 3
    lock_minutes: int = 15
    session_minutes: int = 60
    max_conversation_failures: int = 5
    max_client_failures: int = 10
    throttle_minutes: int = 15
    burst_failures: int = 20
    burst_accounts: int = 10
    burst_minutes: int = 5
    hold_minutes: int = 10

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.lock_minutes)

    @property
    def throttle_window(self) -> timedelta:
        return timedelta(minutes=self.throttle_minutes)


def _current_lock(
    session: Session, account_number: str, now: datetime, policy: VerificationPolicy
) -> LockState:
    last_success = session.scalar(
        select(func.max(VerificationAttempt.created_at)).where(
            VerificationAttempt.account_number == account_number,
            VerificationAttempt.succeeded.is_(True),
        )
    )
    since = now - 2 * policy.window
    if last_success is not None:
        since = max(since, last_success)
    failures = session.scalars(
        select(VerificationAttempt.created_at).where(
            VerificationAttempt.account_number == account_number,
            VerificationAttempt.created_at > since,
            VerificationAttempt.succeeded.is_(False),
            VerificationAttempt.while_locked.is_(False),
        )
    ).all()
    return lock_state(failures, now, policy.max_attempts, policy.window)


def _limits(
    session: Session,
    request: VerificationRequest,
    client: str | None,
    now: datetime,
    policy: VerificationPolicy,
) -> list[LockState]:
    """The lock states of the account number, the conversation and (if known) the client."""
    states = [
        _current_lock(session, request.account_number, now, policy),
        throttle_state(
            session,
            "conversation_id",
            request.conversation_id,
            now,
            policy.max_conversation_failures,
            policy.throttle_window,
        ),
    ]
    if client is not None:
        states.append(
            throttle_state(
                session,
                "client_key",
                client,
                now,
                policy.max_client_failures,
                policy.throttle_window,
            )
        )
    return states


def _locked_until(states: list[LockState]) -> datetime | None:
    return max((s.locked_until for s in states if s.locked_until is not None), default=None)


def _record(
    session: Session,
    request: VerificationRequest,
    client: str | None,
    now: datetime,
    *,
    ok: bool,
    locked: bool,
) -> None:
    factor = (
        VerificationFactor.DATE_OF_BIRTH
        if request.date_of_birth is not None
        else VerificationFactor.POSTCODE
    )
    session.add(
        VerificationAttempt(
            account_number=request.account_number,
            conversation_id=request.conversation_id,
            client_key=client,
            factor=factor,
            succeeded=ok,
            while_locked=locked,
            created_at=now,
        )
    )


def _whole_second(moment: datetime) -> datetime:
    """`moment` rounded up to the second, so the answer never promises an early unlock."""
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment.astimezone(UTC)


def _locked(until: datetime) -> VerificationResult:
    return VerificationResult(
        status="locked", attempts_left=0, locked_until=_whole_second(until), customer=None
    )


def verify(
    session: Session, request: VerificationRequest, now: datetime, policy: VerificationPolicy
) -> VerificationResult:
    """Check the factor(s) for one account number, record the attempt and answer."""
    client = client_key(policy.secret, request.client_address)
    keys: list[tuple[Scope, str]] = [
        ("account", request.account_number),
        ("conversation", request.conversation_id),
    ]
    if client is not None:
        keys.append(("client", client))
    guard(session, keys)
    log = {"conversation_id": request.conversation_id}

    until = _locked_until(_limits(session, request, client, now, policy))
    if until is not None:
        session.execute(
            delete(PostcodeHold).where(PostcodeHold.conversation_id == request.conversation_id)
        )
        _record(session, request, client, now, ok=False, locked=True)
        session.commit()
        logger.info("verification.locked", extra=log)
        return _locked(until)

    row = session.execute(
        select(Account, Customer)
        .join(Customer, Account.customer_id == Customer.id)
        .where(Account.account_number == request.account_number)
    ).first()
    account, customer = (row[0], row[1]) if row else (None, None)
    if (
        factors_match(session, request, account, customer, now, policy.secret)
        and account is not None
    ):
        return _succeed(session, request, client, account, now, policy)

    _record(session, request, client, now, ok=False, locked=False)
    states = _limits(session, request, client, now, policy)
    alert_on_burst(
        session,
        request.account_number,
        now,
        timedelta(minutes=policy.burst_minutes),
        policy.burst_failures,
        policy.burst_accounts,
    )
    session.commit()
    logger.info("verification.failed", extra=log)
    until = _locked_until(states)
    if until is not None:
        return _locked(until)
    return VerificationResult(
        status="failed",
        attempts_left=min(state.attempts_left for state in states),
        locked_until=None,
        customer=None,
    )


def _succeed(
    session: Session,
    request: VerificationRequest,
    client: str | None,
    account: Account,
    now: datetime,
    policy: VerificationPolicy,
) -> VerificationResult:
    _record(session, request, client, now, ok=True, locked=False)
    session.add(
        VerifiedSession(
            conversation_id=request.conversation_id,
            account_id=account.id,
            created_at=now,
            expires_at=now + timedelta(minutes=policy.session_minutes),
            revoked_at=None,
        )
    )
    session.commit()
    logger.info(
        "verification.verified",
        extra={"conversation_id": request.conversation_id, "account_id": account.id},
    )
    return VerificationResult(
        status="verified",
        attempts_left=None,
        locked_until=None,
        customer=VerifiedCustomer(
            first_name=account.customer.first_name, account_number=account.account_number
        ),
    )


def hold_postcode(
    session: Session,
    conversation_id: str,
    request: PostcodeHoldRequest,
    now: datetime,
    policy: VerificationPolicy,
) -> None:
    """Keep a keyed hash of the postcode until the invoice amount comes (nothing is judged, so
    every postcode and account number is answered alike); replaces an earlier hold."""
    digest = postcode_digest(
        policy.secret, conversation_id, request.account_number, request.postcode
    )
    values = {
        "conversation_id": conversation_id,
        "account_number": request.account_number,
        "digest": digest,
        "expires_at": now + timedelta(minutes=policy.hold_minutes),
    }
    dialect = session.connection().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    statement = insert(PostcodeHold).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["conversation_id"],
            set_={k: statement.excluded[k] for k in ("account_number", "digest", "expires_at")},
        )
    )
    session.commit()
    logger.info("verification.postcode_held", extra={"conversation_id": conversation_id})


def revoke(session: Session, conversation_id: str, now: datetime) -> int:
    """End every live verified session of the conversation; returns how many were ended."""
    result = session.execute(
        update(VerifiedSession)
        .where(
            VerifiedSession.conversation_id == conversation_id,
            VerifiedSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    session.execute(delete(PostcodeHold).where(PostcodeHold.conversation_id == conversation_id))
    session.commit()
    count = int(getattr(result, "rowcount", 0) or 0)
    logger.info("verification.revoked", extra={"conversation_id": conversation_id, "rows": count})
    return count


def require_verified_account(
    session: Session, conversation_id: str | None, account_number: str, now: datetime
) -> Account:
    """The account, if this conversation holds a live verified session for it.

    Raises NotVerified otherwise, including for account numbers that do not exist.
    """
    if not conversation_id:
        raise NotVerified("this conversation has not verified the account holder")
    account = session.scalar(
        select(Account)
        .join(VerifiedSession, VerifiedSession.account_id == Account.id)
        .where(
            Account.account_number == account_number,
            VerifiedSession.conversation_id == conversation_id,
            VerifiedSession.revoked_at.is_(None),
            VerifiedSession.expires_at > now,
        )
        .limit(1)
    )
    if account is None:
        raise NotVerified("this conversation has not verified the account holder")
    return account
