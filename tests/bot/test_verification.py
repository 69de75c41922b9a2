"""Verification service against the seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.billing.errors import NotVerified
from bot.billing.models import VerificationAttempt, VerifiedSession
from bot.billing.schemas import VerificationRequest, VerificationResult
from bot.billing.types import VerificationFactor
from bot.billing.verification import VerificationPolicy, require_verified_account, revoke, verify

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.bot.conftest import FakeClock

POLICY = VerificationPolicy(max_attempts=3, lock_minutes=15, session_minutes=60)
ANA_DOB = date(1985, 3, 14)


def _check(
    session: Session,
    clock: FakeClock,
    *,
    account: str = "100001",
    conversation: str = "conv-1",
    dob: date | None = None,
    postcode: str | None = None,
) -> VerificationResult:
    request = VerificationRequest(
        conversation_id=conversation, account_number=account, date_of_birth=dob, postcode=postcode
    )
    return verify(session, request, clock(), POLICY)


def _fail(session: Session, clock: FakeClock, times: int, **kwargs: str) -> VerificationResult:
    result = None
    for _ in range(times):
        result = _check(session, clock, dob=date(2000, 1, 1), **kwargs)
    assert result is not None
    return result


def test_date_of_birth_verifies_and_opens_a_session(
    seeded_session: Session, clock: FakeClock
) -> None:
    result = _check(seeded_session, clock, dob=ANA_DOB)
    assert result.status == "verified"
    assert result.attempts_left is None
    assert result.customer is not None
    assert (result.customer.first_name, result.customer.account_number) == ("Ana", "100001")
    account = require_verified_account(seeded_session, "conv-1", "100001", clock())
    assert account.account_number == "100001"
    stored = seeded_session.scalars(select(VerifiedSession)).one()
    assert stored.expires_at - stored.created_at == timedelta(minutes=60)
    assert stored.created_at == clock()


def test_postcode_verifies_ignoring_whitespace(seeded_session: Session, clock: FakeClock) -> None:
    result = _check(seeded_session, clock, account="100002", postcode=" 20 00 ")
    assert result.status == "verified"
    assert result.customer is not None
    assert result.customer.first_name == "Marko"


@pytest.mark.parametrize("factor", [{"dob": date(1985, 3, 15)}, {"postcode": "1001"}])
def test_wrong_factor_fails(
    seeded_session: Session, clock: FakeClock, factor: dict[str, object]
) -> None:
    result = _check(seeded_session, clock, **factor)  # type: ignore[arg-type]
    assert result.model_dump() == {
        "status": "failed",
        "attempts_left": 2,
        "locked_until": None,
        "customer": None,
    }
    with pytest.raises(NotVerified):
        require_verified_account(seeded_session, "conv-1", "100001", clock())


def test_unknown_account_is_indistinguishable_from_a_wrong_factor(
    seeded_session: Session, clock: FakeClock
) -> None:
    known = [
        _check(seeded_session, clock, account="100001", dob=date(1990, 1, 1)).model_dump()
        for _ in range(3)
    ]
    unknown = [
        _check(seeded_session, clock, account="999999", dob=date(1990, 1, 1)).model_dump()
        for _ in range(3)
    ]
    assert known == unknown
    assert unknown[0]["attempts_left"] == 2
    assert unknown[2]["status"] == "locked"
    attempts = seeded_session.scalars(
        select(VerificationAttempt).where(VerificationAttempt.account_number == "999999")
    ).all()
    assert len(attempts) == 3


def test_attempts_store_the_kind_of_factor_never_its_value(
    seeded_session: Session, clock: FakeClock
) -> None:
    _check(seeded_session, clock, dob=ANA_DOB)
    _check(seeded_session, clock, postcode="9999")
    attempts = seeded_session.scalars(
        select(VerificationAttempt).order_by(VerificationAttempt.id)
    ).all()
    assert [(a.factor, a.succeeded) for a in attempts] == [
        (VerificationFactor.DATE_OF_BIRTH, True),
        (VerificationFactor.POSTCODE, False),
    ]
    assert all(a.created_at == clock() for a in attempts)


def test_third_failure_locks_for_fifteen_minutes_across_conversations(
    seeded_session: Session, clock: FakeClock
) -> None:
    assert _fail(seeded_session, clock, 2, conversation="a").attempts_left == 1
    third = _fail(seeded_session, clock, 1, conversation="b")
    assert third.status == "locked"
    assert third.locked_until == clock() + timedelta(minutes=15)
    clock.advance(minutes=5)
    correct = _check(seeded_session, clock, conversation="fresh-conversation", dob=ANA_DOB)
    assert correct.status == "locked"
    assert correct.attempts_left == 0
    assert correct.locked_until == clock() + timedelta(minutes=10)
    assert seeded_session.scalars(select(VerifiedSession)).all() == []
    locked_rows = seeded_session.scalars(
        select(VerificationAttempt).where(VerificationAttempt.while_locked.is_(True))
    ).all()
    assert len(locked_rows) == 1


def test_lock_expires_after_fifteen_minutes(seeded_session: Session, clock: FakeClock) -> None:
    _fail(seeded_session, clock, 3)
    clock.advance(minutes=14, seconds=59)
    assert _check(seeded_session, clock, dob=ANA_DOB).status == "locked"
    clock.advance(seconds=1)
    assert _check(seeded_session, clock, dob=ANA_DOB).status == "verified"


def test_lock_does_not_touch_other_accounts(seeded_session: Session, clock: FakeClock) -> None:
    _fail(seeded_session, clock, 3, account="100001")
    assert (
        _check(seeded_session, clock, account="100003", dob=date(1992, 7, 21)).status == "verified"
    )


def test_success_resets_the_failure_count(seeded_session: Session, clock: FakeClock) -> None:
    _fail(seeded_session, clock, 2)
    clock.advance(seconds=1)
    assert _check(seeded_session, clock, dob=ANA_DOB).status == "verified"
    clock.advance(seconds=1)
    assert _fail(seeded_session, clock, 1).attempts_left == 2
    assert _fail(seeded_session, clock, 1).attempts_left == 1


def test_revoke_ends_the_session_and_is_idempotent(
    seeded_session: Session, clock: FakeClock
) -> None:
    _check(seeded_session, clock, dob=ANA_DOB)
    _check(seeded_session, clock, account="100004", postcode="4000")
    assert revoke(seeded_session, "conv-1", clock()) == 2
    assert revoke(seeded_session, "conv-1", clock()) == 0
    for account in ("100001", "100004"):
        with pytest.raises(NotVerified):
            require_verified_account(seeded_session, "conv-1", account, clock())


def test_session_is_per_conversation_account_and_expires(
    seeded_session: Session, clock: FakeClock
) -> None:
    _check(seeded_session, clock, dob=ANA_DOB)
    for conversation, account in [
        ("conv-2", "100001"),
        ("conv-1", "100002"),
        ("conv-1", "999999"),
        (None, "100001"),
    ]:
        with pytest.raises(NotVerified):
            require_verified_account(seeded_session, conversation, account, clock())
    clock.advance(minutes=59)
    require_verified_account(seeded_session, "conv-1", "100001", clock())
    clock.advance(minutes=1)
    with pytest.raises(NotVerified):
        require_verified_account(seeded_session, "conv-1", "100001", clock())


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_id": "c", "account_number": "100001"},
        {
            "conversation_id": "c",
            "account_number": "100001",
            "date_of_birth": "1985-03-14",
            "postcode": "1000",
        },
        {"conversation_id": "c", "account_number": "10001", "postcode": "1000"},
        {"conversation_id": "", "account_number": "100001", "postcode": "1000"},
        {"conversation_id": "c", "account_number": "100001", "date_of_birth": "14.03.1985"},
    ],
)
def test_request_needs_exactly_one_well_formed_factor(body: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        VerificationRequest.model_validate(body)
