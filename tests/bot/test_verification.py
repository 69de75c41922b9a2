"""Verification service against the seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.billing.models import Account, Invoice, VerificationAttempt, VerifiedSession
from bot.billing.schemas import PostcodeHoldRequest, VerificationRequest, VerificationResult
from bot.billing.types import VerificationFactor
from bot.billing.verification import (
    VerificationPolicy,
    hold_postcode,
    require_verified_account,
    revoke,
    verify,
)
from bot.core.errors import NotVerified

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tests.bot.conftest import FakeClock

POLICY = VerificationPolicy(
    secret=b"test-verification-secret", max_attempts=3, lock_minutes=15, session_minutes=60
)
ANA_DOB = date(1985, 3, 14)


def _check(
    session: Session,
    clock: FakeClock,
    *,
    account: str = "100001",
    conversation: str = "conv-1",
    dob: date | None = None,
    postcode: str | None = None,
    amount: str | None = None,
    client: str | None = None,
) -> VerificationResult:
    request = VerificationRequest(
        conversation_id=conversation,
        account_number=account,
        date_of_birth=dob,
        postcode=postcode,
        invoice_amount=amount,
        client_address=client,
    )
    return verify(session, request, clock(), POLICY)


def latest_total(session: Session, account: str) -> str:
    """The latest invoice's total as the customer reads it ("54.17"), from the seeded data."""
    cents = session.scalar(
        select(Invoice.total_cents)
        .join(Account, Invoice.account_id == Account.id)
        .where(Account.account_number == account)
        .order_by(Invoice.period_start.desc(), Invoice.id.desc())
        .limit(1)
    )
    assert cents is not None
    return f"{cents // 100}.{cents % 100:02d}"


def _hold(session: Session, clock: FakeClock, postcode: str, **kwargs: str) -> None:
    account = kwargs.get("account", "100001")
    conversation = kwargs.get("conversation", "conv-1")
    request = PostcodeHoldRequest(account_number=account, postcode=postcode)
    hold_postcode(session, conversation, request, clock(), POLICY)


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


def test_a_postcode_alone_never_verifies_and_counts_as_a_failure(
    seeded_session: Session, clock: FakeClock
) -> None:
    result = _check(seeded_session, clock, account="100002", postcode="2000")  # Marko's own
    assert result.model_dump() == {
        "status": "failed",
        "attempts_left": 2,
        "locked_until": None,
        "customer": None,
    }
    assert seeded_session.scalars(select(VerifiedSession)).all() == []


@pytest.mark.parametrize(
    "typed",
    [
        lambda total: total,
        lambda total: total.replace(".", ","),
        lambda total: f"€{total}",
        lambda total: f"{total} eur",
        lambda total: f" EUR {total} ",
    ],
    ids=["dot", "comma", "euro-sign", "eur-after", "eur-before"],
)
def test_postcode_with_the_latest_invoice_amount_verifies(
    seeded_session: Session, clock: FakeClock, typed: Callable[[str], str]
) -> None:
    amount = typed(latest_total(seeded_session, "100002"))
    result = _check(seeded_session, clock, account="100002", postcode=" 20 00 ", amount=amount)
    assert result.status == "verified"
    assert result.customer is not None
    assert result.customer.first_name == "Marko"


def test_the_amount_is_exact_to_the_cent_and_needs_the_right_postcode(
    seeded_session: Session, clock: FakeClock
) -> None:
    total = latest_total(seeded_session, "100002")
    cents = int(total.replace(".", "")) + 1
    off_by_a_cent = f"{cents // 100}.{cents % 100:02d}"
    first = _check(seeded_session, clock, account="100002", postcode="2000", amount=off_by_a_cent)
    assert (first.status, first.attempts_left) == ("failed", 2)
    second = _check(
        seeded_session, clock, account="100002", conversation="c2", postcode="3000", amount=total
    )
    assert (second.status, second.attempts_left) == ("failed", 1)
    assert seeded_session.scalars(select(VerifiedSession)).all() == []


def test_a_held_postcode_and_then_the_amount_verify_as_one_attempt(
    seeded_session: Session, clock: FakeClock
) -> None:
    _hold(seeded_session, clock, "2000", account="100002")
    result = _check(
        seeded_session, clock, account="100002", amount=latest_total(seeded_session, "100002")
    )
    assert result.status == "verified"
    attempts = seeded_session.scalars(select(VerificationAttempt)).all()
    assert [(a.factor, a.succeeded) for a in attempts] == [(VerificationFactor.POSTCODE, True)]


def test_a_hold_is_used_once_for_its_own_account_and_expires(
    seeded_session: Session, clock: FakeClock
) -> None:
    total = latest_total(seeded_session, "100002")
    _hold(seeded_session, clock, "2000", account="100002")
    assert _check(seeded_session, clock, account="100002", amount="0.01").status == "failed"
    assert _check(seeded_session, clock, account="100002", amount=total).status == "failed"
    clock.advance(minutes=20)
    _hold(seeded_session, clock, "2000", account="100001")  # held for another account
    assert _check(seeded_session, clock, account="100002", amount=total).status == "failed"
    clock.advance(minutes=20)
    _hold(seeded_session, clock, "2000", account="100002")
    clock.advance(minutes=10)  # holds last 10 minutes
    assert _check(seeded_session, clock, account="100002", amount=total).status == "failed"
    assert seeded_session.scalars(select(VerifiedSession)).all() == []


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
        _check(
            seeded_session, clock, account="100001", conversation="k", dob=date(1990, 1, 1)
        ).model_dump()
        for _ in range(3)
    ]
    unknown = [
        _check(
            seeded_session, clock, account="999999", conversation="u", dob=date(1990, 1, 1)
        ).model_dump()
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
    _check(seeded_session, clock, postcode="9999", amount="1.00")
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
    luka = latest_total(seeded_session, "100004")
    assert _check(seeded_session, clock, account="100004", postcode="4000", amount=luka).status == (
        "verified"
    )
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
        {
            "conversation_id": "c",
            "account_number": "100001",
            "date_of_birth": "1985-03-14",
            "invoice_amount": "54.17",
        },
        {"conversation_id": "c", "account_number": "100001", "invoice_amount": "54.175"},
        {"conversation_id": "c", "account_number": "100001", "invoice_amount": "about 54"},
        {"conversation_id": "c", "account_number": "100001", "invoice_amount": "$54.17"},
    ],
)
def test_request_needs_exactly_one_well_formed_factor(body: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        VerificationRequest.model_validate(body)


WRONG_DOB = date(2000, 1, 1)


def test_failures_are_limited_per_conversation_across_accounts(
    seeded_session: Session, clock: FakeClock
) -> None:
    results = [
        _check(seeded_session, clock, account=f"10001{i}", conversation="spray", dob=WRONG_DOB)
        for i in range(5)
    ]
    assert [(r.status, r.attempts_left) for r in results] == [
        ("failed", 2),  # the account's own limit is the tighter one at first
        ("failed", 2),
        ("failed", 2),
        ("failed", 1),
        ("locked", 0),
    ]
    assert results[4].locked_until == clock() + timedelta(minutes=15)
    refused = _check(seeded_session, clock, conversation="spray", dob=ANA_DOB)
    assert refused.status == "locked"
    assert _check(seeded_session, clock, conversation="other", dob=ANA_DOB).status == "verified"
    clock.advance(minutes=15)
    assert _check(seeded_session, clock, conversation="spray", dob=ANA_DOB).status == "verified"


def test_failures_are_limited_per_client_address_across_conversations(
    seeded_session: Session, clock: FakeClock
) -> None:
    address = "203.0.113.7"
    results = [
        _check(
            seeded_session,
            clock,
            account=f"1000{10 + i}",
            conversation=f"c{i}",
            client=address,
            dob=WRONG_DOB,
        )
        for i in range(10)
    ]
    assert [r.status for r in results] == ["failed"] * 9 + ["locked"]
    fresh = _check(seeded_session, clock, conversation="new", client=address, dob=ANA_DOB)
    assert fresh.status == "locked"
    other = _check(seeded_session, clock, conversation="new2", client="198.51.100.1", dob=ANA_DOB)
    assert other.status == "verified"
    keys = seeded_session.scalars(select(VerificationAttempt.client_key)).all()
    assert address not in keys
    assert len(set(keys)) == 2  # one keyed hash per address


def test_a_burst_of_failures_across_many_accounts_is_alerted_without_personal_data(
    seeded_session: Session, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.billing")
    accounts = [f"1000{10 + i}" for i in range(10)]
    tries = [(f"r{r}-{i}", account) for r in range(2) for i, account in enumerate(accounts)]
    for conversation, account in tries[:19]:
        _check(seeded_session, clock, account=account, conversation=conversation, dob=WRONG_DOB)
    assert "verification_failure_burst" not in caplog.messages
    conversation, account = tries[19]
    _check(seeded_session, clock, account=account, conversation=conversation, dob=WRONG_DOB)
    alerts = [r for r in caplog.records if r.getMessage() == "verification_failure_burst"]
    assert len(alerts) == 1
    assert alerts[0].levelno == logging.WARNING
    standard = {*vars(logging.makeLogRecord({})), "message"}
    fields = {k: v for k, v in vars(alerts[0]).items() if k not in standard}
    assert fields == {
        "failures": 20,
        "accounts": 10,
        "window_minutes": 5,
        "failure_threshold": 20,
        "account_threshold": 10,
    }
    _check(seeded_session, clock, account="100020", conversation="x", dob=WRONG_DOB)
    assert caplog.messages.count("verification_failure_burst") == 1  # not repeated at 21


def test_nine_accounts_failing_many_times_are_no_burst(
    seeded_session: Session, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.billing")
    for i in range(9):
        for attempt in range(3):
            _check(
                seeded_session,
                clock,
                account=f"1000{10 + i}",
                conversation=f"n{i}-{attempt}",
                dob=WRONG_DOB,
            )
    assert "verification_failure_burst" not in caplog.messages
