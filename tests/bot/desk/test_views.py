"""What the desk shows: ticket summaries in queue order and transcript messages."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.desk import handling, tickets
from bot.desk.transcript import add_agent_message
from bot.desk.types import TicketStatus
from bot.desk.views import messages_out, queue_view, ticket_summary
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig


def test_queue_view(session: Session, config: DeskConfig) -> None:
    maria = helpers.agent(session, NOW, name="Maria Novak")
    early = NOW - timedelta(minutes=4)
    claimed = tickets.open_ticket(session, helpers.handoff("c1"), early, config).ticket
    handling.claim(session, claimed.id, maria, early + timedelta(seconds=15))
    upset = helpers.handoff("c2", reason="upset_customer", channel="rest")
    waiting = tickets.open_ticket(session, upset, NOW - timedelta(minutes=2), config).ticket
    callback = helpers.ticket(
        session,
        NOW - timedelta(hours=1),
        status=TicketStatus.CALLBACK,
        callback_start=NOW + timedelta(hours=2),
        callback_end=NOW + timedelta(hours=4),
    )
    view = queue_view(session, NOW, config)
    assert view.agents_on_duty == 1
    assert [(t.id, t.status, t.position) for t in view.tickets] == [
        (waiting.id, "queued", 1),
        (claimed.id, "claimed", None),
        (callback.id, "callback", None),
    ]
    first, second, third = view.tickets
    assert (first.reason, first.priority, first.channel, first.waiting_seconds) == (
        "upset_customer",
        3,
        "rest",
        120,
    )
    assert (second.claimed_by, second.claimed_by_agent_id, second.waiting_seconds) == (
        "Maria Novak",
        maria.id,
        15,
    )
    assert third.callback_window is not None
    assert third.callback_window.label == "Today 13:00-15:00"
    assert ticket_summary(session, waiting, NOW, config) == first


def test_messages_out(session: Session, config: DeskConfig) -> None:
    maria = helpers.agent(session, NOW, name="Maria Novak")
    body = helpers.handoff(
        transcript=[{"sender": "customer", "text": "hi", "at": "2026-11-15T09:59:00Z"}]
    )
    ticket = tickets.open_ticket(session, body, NOW, config).ticket
    handling.claim(session, ticket.id, maria, NOW)
    add_agent_message(session, ticket.id, maria, "Hello!", NOW + timedelta(seconds=5))
    out = [(m.sender, m.text, m.agent_name) for m in messages_out(session, ticket.id)]
    assert out == [
        ("customer", "hi", None),
        ("system", "Maria Novak took the conversation.", None),
        ("agent", "Hello!", "Maria Novak"),
    ]
