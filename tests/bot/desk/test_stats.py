"""Supervisor figures on a fabricated history. NOW is 10:00 UTC; the window of 3 hours is
08:00-10:59 (three clock hours)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from bot.desk.stats import desk_stats, percentile
from bot.desk.types import HandoffReason, Outcome, TicketStatus
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig

R = HandoffReason


def answered(
    session: Session, hour: int, minute: int, wait: int, reason: HandoffReason, outcome: Outcome
) -> None:
    created = NOW.replace(hour=hour, minute=minute)
    claimed = created + timedelta(seconds=wait)
    helpers.ticket(
        session,
        created,
        status=TicketStatus.RESOLVED,
        reason=reason,
        claimed_at=claimed,
        resolved_at=claimed + timedelta(minutes=4),
        outcome=outcome,
    )


def fabricate(session: Session) -> None:
    answered(session, 7, 59, 3, R.CUSTOMER_REQUEST, Outcome.OTHER)  # before the window
    answered(session, 8, 10, 10, R.CUSTOMER_REQUEST, Outcome.CREDITED)
    answered(session, 8, 20, 30, R.UPSET_CUSTOMER, Outcome.EXPLAINED)
    helpers.ticket(session, NOW.replace(hour=8, minute=30), status=TicketStatus.WITHDRAWN)
    answered(session, 9, 5, 5, R.BEYOND_AUTHORITY, Outcome.CREDITED)
    helpers.ticket(
        session,
        NOW.replace(hour=9, minute=10),
        status=TicketStatus.ABANDONED,
        reason=R.REPEATED_FALLBACK,
    )
    callback = NOW.replace(hour=9, minute=20)  # chose a callback: neither answered nor abandoned
    helpers.ticket(
        session,
        callback,
        status=TicketStatus.CLAIMED,
        reason=R.VERIFICATION_LOCKED,
        callback_start=callback + timedelta(minutes=40),
        callback_end=callback + timedelta(minutes=160),
        claimed_at=callback + timedelta(minutes=40),
    )
    helpers.ticket(session, NOW.replace(hour=9, minute=25))  # queued 35 min: the customer left
    helpers.ticket(session, NOW.replace(hour=9, minute=40))  # queued 20 min: still waiting
    helpers.ticket(session, NOW)  # just arrived


def test_figures(session: Session, config: DeskConfig) -> None:
    fabricate(session)
    helpers.agent(session, NOW)
    stats = desk_stats(session, NOW, 3, config)
    assert (stats.queue_length, stats.agents_on_duty) == (3, 1)
    # Waits of the answered: 10, 30, 5 s. Abandoned: withdrawn, abandoned, queued 35 min.
    assert (stats.wait_p50_seconds, stats.wait_p90_seconds) == (10.0, 30.0)
    assert stats.service_level_20s == pytest.approx(2 / 6, abs=1e-4)
    assert stats.abandonment_rate == 0.5
    assert stats.handoffs_by_reason == {
        "customer_request": 5,
        "repeated_fallback": 1,
        "verification_locked": 1,
        "beyond_authority": 1,
        "upset_customer": 1,
    }
    assert stats.outcomes == {
        "credited": 2,
        "discount_granted": 0,
        "explained": 1,
        "dispute_opened": 0,
        "plan_changed": 0,
        "callback_arranged": 0,
        "no_action": 0,
        "other": 0,
    }
    hourly = [
        (h.hour.hour, h.handoffs, h.answered, h.abandoned, h.wait_p50_seconds, h.service_level_20s)
        for h in stats.hourly
    ]
    assert hourly == [
        (8, 3, 2, 1, 10.0, 0.3333),
        (9, 5, 1, 2, 5.0, 0.3333),
        (10, 1, 0, 0, None, None),
    ]


def test_an_empty_desk(session: Session, config: DeskConfig) -> None:
    stats = desk_stats(session, NOW + timedelta(minutes=30), 24, config)
    assert (stats.wait_p50_seconds, stats.service_level_20s, stats.abandonment_rate) == (
        None,
        None,
        None,
    )
    assert len(stats.hourly) == 24
    assert stats.hourly[-1].hour == NOW
    assert stats.hourly[0].hour == NOW - timedelta(hours=23)
    with pytest.raises(ValueError, match="hours"):
        desk_stats(session, NOW, 0, config)


def test_percentile() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([1, 2, 3, 4], 0.5) == 2
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile(list(range(1, 11)), 1.0) == 10
