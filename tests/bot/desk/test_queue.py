"""Queue priority, order and positions, on fabricated tickets."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from bot.desk.queue import open_tickets, position, positions, priority, queue_length, queued_tickets
from bot.desk.types import HandoffReason, TicketStatus
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@pytest.mark.parametrize(
    ("reason", "risk", "expected"),
    [
        (HandoffReason.UPSET_CUSTOMER, None, 3),
        (HandoffReason.BEYOND_AUTHORITY, 0.2, 2),
        (HandoffReason.VERIFICATION_LOCKED, None, 2),
        (HandoffReason.REPEATED_FALLBACK, 0.49, 1),
        (HandoffReason.CUSTOMER_REQUEST, 0.5, 2),
        (HandoffReason.UPSET_CUSTOMER, 0.9, 4),
    ],
)
def test_priority(reason: HandoffReason, risk: float | None, expected: int) -> None:
    assert priority(reason, risk) == expected


def test_order_is_priority_then_arrival(session: Session) -> None:
    def at(minutes: int, prio: int, status: TicketStatus = TicketStatus.QUEUED) -> int:
        return helpers.ticket(
            session, NOW - timedelta(minutes=minutes), priority=prio, status=status
        ).id

    old_low = at(30, 1)
    new_high = at(5, 3)
    old_high = at(20, 3)
    middle = at(10, 2)
    same_time = at(10, 2)  # same instant and priority: the lower id first
    claimed = at(40, 4, TicketStatus.CLAIMED)
    assert [t.id for t in queued_tickets(session)] == [
        old_high,
        new_high,
        middle,
        same_time,
        old_low,
    ]
    assert positions(session) == {old_high: 1, new_high: 2, middle: 3, same_time: 4, old_low: 5}
    for ticket in queued_tickets(session):
        assert position(session, ticket) == positions(session)[ticket.id]
    claimed_ticket = next(t for t in open_tickets(session) if t.id == claimed)
    assert position(session, claimed_ticket) is None
    assert queue_length(session) == 5


def test_open_tickets_queue_then_claimed_then_callbacks(session: Session) -> None:
    callback = helpers.ticket(
        session,
        NOW - timedelta(hours=1),
        status=TicketStatus.CALLBACK,
        callback_start=NOW + timedelta(hours=1),
        callback_end=NOW + timedelta(hours=3),
    )
    claimed = helpers.ticket(
        session, NOW - timedelta(minutes=50), status=TicketStatus.CLAIMED, claimed_at=NOW
    )
    queued = helpers.ticket(session, NOW - timedelta(minutes=1))
    helpers.ticket(session, NOW - timedelta(minutes=2), status=TicketStatus.RESOLVED)
    helpers.ticket(session, NOW - timedelta(minutes=2), status=TicketStatus.WITHDRAWN)
    assert [t.id for t in open_tickets(session)] == [queued.id, claimed.id, callback.id]
