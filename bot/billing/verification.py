"""Identity checks of a conversation against an account, and the sessions they open.

The back end compares the factor itself (date of birth or postcode) and counts attempts per
account number in the database, so a new conversation cannot reset a lock and an unknown
account number is answered and counted exactly like a wrong factor.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from bot.billing.errors import NotVerified
from bot.billing.lockout import LockState, lock_state
from bot.billing.models import Account, Customer, VerificationAttempt, VerifiedSession
from bot.billing.schemas import VerificationRequest, VerificationResult, VerifiedCustomer
from bot.billing.types import VerificationFactor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)
_NO_SUCH_CUSTOMER = "\x00no-such-customer\x00"  # compared against so unknown accounts cost the same


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    max_attempts: int = 3
    lock_minutes: int = 15
    session_minutes: int = 60

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.lock_minutes)


def _normalize(text: str) -> str:
    return "".join(text.split()).upper()


def _expected_and_given(request: VerificationRequest, customer: Customer | None) -> tuple[str, str]:
    if request.date_of_birth is not None:
        expected = customer.date_of_birth.isoformat() if customer else _NO_SUCH_CUSTOMER
        return expected, request.date_of_birth.isoformat()
    expected = _normalize(customer.postcode) if customer else _NO_SUCH_CUSTOMER
    return expected, _normalize(request.postcode or "")


def _factor_matches(request: VerificationRequest, customer: Customer | None) -> bool:
    expected, given = _expected_and_given(request, customer)
    same = hmac.compare_digest(expected.encode(), given.encode())
    return same and customer is not None


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


def _record(
    session: Session, request: VerificationRequest, now: datetime, *, ok: bool, locked: bool
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
    """Check one factor for one account number, record the attempt and answer."""
    lock = _current_lock(session, request.account_number, now, policy)
    if lock.locked_until is not None:
        _record(session, request, now, ok=False, locked=True)
        session.commit()
        logger.info("verification.locked", extra={"conversation_id": request.conversation_id})
        return _locked(lock.locked_until)

    row = session.execute(
        select(Account, Customer)
        .join(Customer, Account.customer_id == Customer.id)
        .where(Account.account_number == request.account_number)
    ).first()
    account, customer = (row[0], row[1]) if row else (None, None)
    # Compared even for an unknown number (against a value no input equals): same work and answer.
    if _factor_matches(request, customer) and account is not None:
        return _succeed(session, request, account, now, policy)

    _record(session, request, now, ok=False, locked=False)
    session.commit()
    logger.info("verification.failed", extra={"conversation_id": request.conversation_id})
    lock = _current_lock(session, request.account_number, now, policy)
    if lock.locked_until is not None:
        return _locked(lock.locked_until)
    return VerificationResult(
        status="failed", attempts_left=lock.attempts_left, locked_until=None, customer=None
    )


def _succeed(
    session: Session,
    request: VerificationRequest,
    account: Account,
    now: datetime,
    policy: VerificationPolicy,
) -> VerificationResult:
    _record(session, request, now, ok=True, locked=False)
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
