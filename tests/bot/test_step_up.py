"""Step-up verification service on the seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.core.errors import NotFound, StepUpRequired, TooManyRequests
from bot.safety import step_up
from bot.safety.models import AuditEntry, OutboxMessage, StepUpChallenge
from bot.safety.types import OutboxStatus
from tests.bot.safety_helpers import POLICY, RecordingSender, code_in, context

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.safety.context import WriteContext
    from tests.bot.conftest import FakeClock


def _email_channel(session: Session, ctx: WriteContext) -> str:
    channels = step_up.list_channels(session, ctx.account, POLICY).channels
    return next(channel.id for channel in channels if channel.kind == "email")


def _send(session: Session, ctx: WriteContext, sender: RecordingSender | None = None) -> str:
    sender = sender or RecordingSender()
    step_up.send_code(session, ctx, _email_channel(session, ctx), POLICY, sender)
    return code_in(sender.sent[-1].body)


def test_channels_are_masked_with_opaque_stable_ids(
    seeded_session: Session, clock: FakeClock
) -> None:
    ctx = context(seeded_session, "100001", clock())
    channels = step_up.list_channels(seeded_session, ctx.account, POLICY).channels
    assert [(c.kind, c.masked) for c in channels] == [
        ("email", "a***@example.com"),
        ("sms", "+386 *** *** 100"),
    ]
    assert all(c.id.startswith("ch_") and len(c.id) == 19 for c in channels)
    again = step_up.list_channels(seeded_session, ctx.account, POLICY).channels
    assert [c.id for c in again] == [c.id for c in channels]
    marko = context(seeded_session, "100002", clock())
    others = step_up.list_channels(seeded_session, marko.account, POLICY).channels
    assert not {c.id for c in others} & {c.id for c in channels}


def test_code_goes_through_the_outbox_and_only_its_hash_is_kept(
    seeded_session: Session, clock: FakeClock
) -> None:
    ctx = context(seeded_session, "100001", clock())
    sender = RecordingSender()
    result = step_up.send_code(
        seeded_session, ctx, _email_channel(seeded_session, ctx), POLICY, sender
    )
    assert result.status_code == 201
    assert result.body["channel"]["masked"] == "a***@example.com"
    assert result.body["expires_at"] == "2026-11-15T10:05:00Z"
    code = code_in(sender.sent[0].body)
    assert sender.sent[0].recipient == "ana.novak@example.com"
    message = seeded_session.scalars(select(OutboxMessage)).one()
    assert (message.status, message.purpose) == (OutboxStatus.QUEUED, "step_up_code")
    assert code in message.body
    challenge = seeded_session.scalars(select(StepUpChallenge)).one()
    assert code not in challenge.code_hash
    assert len(challenge.code_hash) == 64
    audit = seeded_session.scalars(select(AuditEntry)).one()
    assert audit.action == "step_up.code_sent"
    assert code not in str(audit.details)
    assert code not in str(result.body)


def test_a_delivering_sender_marks_the_message_sent_and_blanks_it(
    seeded_session: Session, clock: FakeClock
) -> None:
    ctx = context(seeded_session, "100001", clock())
    _send(seeded_session, ctx, RecordingSender(accept=True))
    message = seeded_session.scalars(select(OutboxMessage)).one()
    assert (message.status, message.body, message.sent_at) == (OutboxStatus.SENT, "", clock())


def test_right_code_steps_up_for_fifteen_minutes(seeded_session: Session, clock: FakeClock) -> None:
    ctx = context(seeded_session, "100001", clock())
    with pytest.raises(StepUpRequired):
        step_up.require_step_up(seeded_session, ctx)
    code = _send(seeded_session, ctx)
    clock.advance(minutes=4)
    ctx = context(seeded_session, "100001", clock())
    result = step_up.verify_code(seeded_session, ctx, code, POLICY)
    assert (result.status, result.attempts_left) == ("verified", None)
    assert result.valid_until == clock() + timedelta(minutes=15)
    step_up.require_step_up(seeded_session, ctx)
    other_conversation = context(seeded_session, "100001", clock(), conversation="conv-2")
    with pytest.raises(StepUpRequired):
        step_up.require_step_up(seeded_session, other_conversation)
    assert step_up.verify_code(seeded_session, ctx, code, POLICY).status == "expired"  # used
    clock.advance(minutes=15)
    with pytest.raises(StepUpRequired, match="one-time code"):
        step_up.require_step_up(seeded_session, context(seeded_session, "100001", clock()))


def test_three_wrong_codes_burn_it(seeded_session: Session, clock: FakeClock) -> None:
    ctx = context(seeded_session, "100001", clock())
    code = _send(seeded_session, ctx)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [step_up.verify_code(seeded_session, ctx, wrong, POLICY) for _ in range(3)]
    assert [(a.status, a.attempts_left) for a in answers] == [
        ("failed", 2),
        ("failed", 1),
        ("locked", 0),
    ]
    assert step_up.verify_code(seeded_session, ctx, code, POLICY).status == "locked"
    with pytest.raises(StepUpRequired):
        step_up.require_step_up(seeded_session, ctx)
    fresh = _send(seeded_session, ctx)  # a new code starts over
    assert step_up.verify_code(seeded_session, ctx, fresh, POLICY).status == "verified"


def test_code_expires_after_five_minutes(seeded_session: Session, clock: FakeClock) -> None:
    code = _send(seeded_session, context(seeded_session, "100001", clock()))
    clock.advance(minutes=5)
    ctx = context(seeded_session, "100001", clock())
    assert step_up.verify_code(seeded_session, ctx, code, POLICY).status == "expired"


def test_a_new_code_replaces_the_old_one(seeded_session: Session, clock: FakeClock) -> None:
    ctx = context(seeded_session, "100001", clock())
    first = _send(seeded_session, ctx)
    second = _send(seeded_session, ctx)
    if first != second:
        assert step_up.verify_code(seeded_session, ctx, first, POLICY).status == "failed"
    assert step_up.verify_code(seeded_session, ctx, second, POLICY).status == "verified"


def test_no_code_asked_answers_expired(seeded_session: Session, clock: FakeClock) -> None:
    ctx = context(seeded_session, "100001", clock())
    result = step_up.verify_code(seeded_session, ctx, "123456", POLICY)
    assert (result.status, result.attempts_left) == ("expired", 0)


def test_codes_per_hour_are_limited_per_account(seeded_session: Session, clock: FakeClock) -> None:
    for n in range(5):
        _send(seeded_session, context(seeded_session, "100001", clock(), conversation=f"c{n}"))
    with pytest.raises(TooManyRequests):
        _send(seeded_session, context(seeded_session, "100001", clock(), conversation="c9"))
    clock.advance(minutes=61)
    _send(seeded_session, context(seeded_session, "100001", clock()))


def test_unknown_channel_is_not_found(seeded_session: Session, clock: FakeClock) -> None:
    ana = context(seeded_session, "100001", clock())
    marko = context(seeded_session, "100002", clock())
    with pytest.raises(NotFound):
        step_up.send_code(
            seeded_session, ana, _email_channel(seeded_session, marko), POLICY, RecordingSender()
        )


def test_codes_never_reach_the_logs(
    seeded_session: Session, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    ctx = context(seeded_session, "100001", clock())
    with caplog.at_level(logging.DEBUG):
        code = _send(seeded_session, ctx)
        step_up.verify_code(seeded_session, ctx, code, POLICY)
    assert caplog.records
    for record in caplog.records:
        assert code not in record.getMessage()
        assert code not in str(vars(record))
