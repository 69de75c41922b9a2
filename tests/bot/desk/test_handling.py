"""The desk's side of a ticket: claim conflicts, resolving, abandonment, queue updates."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.errors import AlreadyClaimed, NotYourTicket, TicketClosed
from bot.desk import handling, tickets
from bot.desk.erlang import average_speed_of_answer
from bot.desk.schemas import ResolveIn
from bot.desk.types import AgentRole, TicketStatus
from bot.desk.updates import mark_told, queue_updates_due
from bot.safety.models import AuditEntry
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.desk.config import DeskConfig

HAND_BACK = ResolveIn(outcome="explained", note="Explained the roaming pack.", then="hand_back")
CLOSE = ResolveIn(outcome="credited", note="", then="close")


def audit_actions(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.id))
    return [(actor, action) for actor, action in rows]


def test_claim(session: Session, config: DeskConfig) -> None:
    maria = helpers.agent(session, NOW, name="Maria Novak")
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    later = NOW + timedelta(seconds=40)
    claimed = handling.claim(session, ticket.id, maria, later)
    assert (claimed.status, claimed.claimed_by, claimed.claimed_at) == (
        TicketStatus.CLAIMED,
        maria.id,
        later,
    )
    assert handling.claim(session, ticket.id, maria, later).id == ticket.id  # a double click
    assert audit_actions(session) == [
        ("bot", "ticket.opened"),
        (f"agent:{maria.id}", "ticket.claimed"),
    ]


def test_a_claimed_ticket_cannot_be_claimed_again(session: Session, config: DeskConfig) -> None:
    maria, tomaz = helpers.agent(session, NOW), helpers.agent(session, NOW)
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    handling.claim(session, ticket.id, maria, NOW)
    with pytest.raises(AlreadyClaimed):
        handling.claim(session, ticket.id, tomaz, NOW)


def test_two_agents_at_once_one_claim(empty_engine: Engine, config: DeskConfig) -> None:
    """Both desks loaded the ticket as queued; the conditional update lets one through."""
    with Session(empty_engine, expire_on_commit=False) as setup:
        maria, tomaz = helpers.agent(setup, NOW), helpers.agent(setup, NOW)
        ticket_id = tickets.open_ticket(setup, helpers.handoff(), NOW, config).ticket.id
    with (
        Session(empty_engine, expire_on_commit=False) as first,
        Session(empty_engine, expire_on_commit=False) as second,
    ):
        for desk in (first, second):
            assert tickets.get_ticket(desk, ticket_id).status is TicketStatus.QUEUED
        handling.claim(first, ticket_id, maria, NOW)
        with pytest.raises(AlreadyClaimed):
            handling.claim(second, ticket_id, tomaz, NOW)
        assert tickets.get_ticket(second, ticket_id).claimed_by == maria.id


def test_callbacks_can_be_claimed_finished_tickets_not(
    session: Session, config: DeskConfig
) -> None:
    maria = helpers.agent(session, NOW)
    callback = helpers.ticket(session, NOW, status=TicketStatus.CALLBACK)
    assert handling.claim(session, callback.id, maria, NOW).status is TicketStatus.CLAIMED
    for status in (TicketStatus.WITHDRAWN, TicketStatus.RESOLVED, TicketStatus.ABANDONED):
        finished = helpers.ticket(session, NOW, status=status)
        with pytest.raises(TicketClosed):
            handling.claim(session, finished.id, maria, NOW)


@pytest.mark.parametrize(("body", "status"), [(HAND_BACK, "resolved"), (CLOSE, "closed")])
def test_resolve(session: Session, config: DeskConfig, body: ResolveIn, status: str) -> None:
    maria = helpers.agent(session, NOW)
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    handling.claim(session, ticket.id, maria, NOW)
    done = handling.resolve(session, ticket.id, maria, body, NOW + timedelta(minutes=5))
    assert (done.status, done.outcome, done.resolved_at) == (
        status,
        body.outcome,
        NOW + timedelta(minutes=5),
    )
    assert done.note == (body.note or None)
    assert tickets.open_ticket_of(session, "conv-1") is None  # the conversation may ask again
    assert audit_actions(session)[-1] == (f"agent:{maria.id}", f"ticket.{status}")
    with pytest.raises(TicketClosed):
        handling.resolve(session, ticket.id, maria, body, NOW)


def test_only_the_claiming_agent_or_a_supervisor_resolves(
    session: Session, config: DeskConfig
) -> None:
    maria, tomaz = helpers.agent(session, NOW), helpers.agent(session, NOW)
    sara = helpers.agent(session, NOW, role=AgentRole.SUPERVISOR)
    ticket = tickets.open_ticket(session, helpers.handoff(), NOW, config).ticket
    with pytest.raises(NotYourTicket, match="claim"):
        handling.resolve(session, ticket.id, maria, HAND_BACK, NOW)
    handling.claim(session, ticket.id, maria, NOW)
    with pytest.raises(NotYourTicket, match="another agent"):
        handling.resolve(session, ticket.id, tomaz, HAND_BACK, NOW)
    assert (
        handling.resolve(session, ticket.id, sara, HAND_BACK, NOW).status is TicketStatus.RESOLVED
    )


def test_abandoned_after_the_limit(session: Session, config: DeskConfig) -> None:
    stale = helpers.ticket(session, NOW - timedelta(minutes=30))
    fresh = helpers.ticket(session, NOW - timedelta(minutes=29))
    callback = helpers.ticket(session, NOW - timedelta(hours=2), status=TicketStatus.CALLBACK)
    claimed = helpers.ticket(session, NOW - timedelta(hours=2), status=TicketStatus.CLAIMED)
    assert [t.id for t in handling.mark_abandoned(session, NOW, config)] == [stale.id]
    for row, status in [
        (stale, TicketStatus.ABANDONED),
        (fresh, TicketStatus.QUEUED),
        (callback, TicketStatus.CALLBACK),
        (claimed, TicketStatus.CLAIMED),
    ]:
        session.refresh(row)
        assert row.status is status
    assert stale.open_conversation_id is None
    assert audit_actions(session) == [("bot", "ticket.abandoned")]
    assert handling.mark_abandoned(session, NOW, config) == []


def test_queue_updates_when_position_or_minutes_change(
    session: Session, config: DeskConfig
) -> None:
    maria = helpers.agent(session, NOW)
    first = tickets.open_ticket(session, helpers.handoff("c1"), NOW, config).ticket
    second = tickets.open_ticket(session, helpers.handoff("c2"), NOW, config).ticket
    # Maria is free: the first waits Erlang C's average speed of answer (A = 300/3600 Erlang,
    # N = 1: 27.3 s), the second waits for her: 1 x 300 s / 1.
    assert (first.last_update_position, first.last_update_wait) == (1, 28)
    assert (second.last_update_position, second.last_update_wait) == (2, 300)
    assert queue_updates_due(session, NOW, config) == []  # both know where they stand
    handling.claim(session, first.id, maria, NOW)
    # Moved up, Maria is busy; and the first was answered at once against an estimate of 28 s,
    # so the correction factor halves estimates (clipped at 0.5): 300 s x 0.5.
    (moved,) = queue_updates_due(session, NOW, config)
    assert (moved.ticket_id, moved.position, moved.estimated_wait_seconds) == (second.id, 1, 150)
    assert moved.estimated_wait_minutes == 3
    mark_told(session, moved, NOW)
    assert queue_updates_due(session, NOW, config) == []
    helpers.agent(session, NOW)  # a second agent, free: only Erlang C's average speed of answer
    asa = average_speed_of_answer(2 * 300 / 3600, 2, 300) * 0.5
    (shorter,) = queue_updates_due(session, NOW, config)
    assert shorter.position == 1
    assert shorter.estimated_wait_seconds == math.ceil(asa)
    assert shorter.estimated_wait_minutes == 1
    mark_told(session, shorter, NOW)
    assert queue_updates_due(session, NOW, config) == []
