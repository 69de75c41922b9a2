"""Handoff tickets, the desk's side: claim, resolve, and abandoned tickets.

    claim(session, ticket_id, agent, now)                  # 409 already_claimed if taken
    may_see_account(ticket, agent)                         # the claimer and supervisors only
    resolve(session, ticket_id, agent, body, now)          # hand_back -> resolved, close -> closed
    mark_abandoned(session, now, config)                   # queued too long -> abandoned

Claiming is a conditional update (`queued`/`callback` -> `claimed`), so two agents clicking at
once get one claim and one `already_claimed`. Only the agent who claimed a ticket (or a
supervisor) may resolve it. Every change is audited (actor `agent:<id>`, or `bot` for
abandonment) and committed. Talking to Rasa (pause, resume, goodbye) is the caller's job.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from bot.core.errors import AlreadyClaimed, NotYourTicket, TicketClosed
from bot.desk.models import HandoffTicket
from bot.desk.records import audit_ticket, get_ticket
from bot.desk.transcript import add_system_message
from bot.desk.types import AgentRole, ResolveThen, TicketStatus
from bot.safety.actors import BOT_ACTOR, agent_actor

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig
    from bot.desk.models import Agent
    from bot.desk.schemas import ResolveIn

logger = logging.getLogger(__name__)
CLAIMABLE = (TicketStatus.QUEUED, TicketStatus.CALLBACK)


def claim(session: Session, ticket_id: int, agent: Agent, now: datetime) -> HandoffTicket:
    """The agent takes the ticket. Claiming one's own ticket again returns it unchanged."""
    ticket = get_ticket(session, ticket_id)
    result = session.execute(
        update(HandoffTicket)
        .where(HandoffTicket.id == ticket_id, HandoffTicket.status.in_(CLAIMABLE))
        .values(status=TicketStatus.CLAIMED, claimed_at=now, claimed_by=agent.id)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        session.rollback()
        session.refresh(ticket)
        if ticket.status is TicketStatus.CLAIMED:
            if ticket.claimed_by == agent.id:
                return ticket
            raise AlreadyClaimed("another agent already took this ticket")
        raise TicketClosed(f"this handoff ticket is {ticket.status}")
    session.refresh(ticket)
    add_system_message(session, ticket, f"{agent.display_name} took the conversation.", now)
    audit_ticket(
        session,
        ticket,
        actor=agent_actor(agent.id),
        action="ticket.claimed",
        reason="claimed",
        now=now,
    )
    session.commit()
    logger.info(
        "ticket.claimed",
        extra={
            "conversation_id": ticket.conversation_id,
            "ticket_id": ticket.id,
            "agent_id": agent.id,
        },
    )
    return ticket


def may_see_account(ticket: HandoffTicket, agent: Agent) -> bool:
    """Least privilege: the account beside a ticket is for the agent who claimed it (also after
    resolving it) and for supervisors; other agents see the ticket and its transcript only."""
    return agent.role is AgentRole.SUPERVISOR or (
        ticket.claimed_by is not None and ticket.claimed_by == agent.id
    )


def require_handler(ticket: HandoffTicket, agent: Agent) -> None:
    """Raise unless the ticket is claimed and this agent (or a supervisor) may act on it."""
    if ticket.status is not TicketStatus.CLAIMED:
        if ticket.status in (TicketStatus.QUEUED, TicketStatus.CALLBACK):
            raise NotYourTicket("claim this ticket first")
        raise TicketClosed(f"this handoff ticket is {ticket.status}")
    if ticket.claimed_by != agent.id and agent.role is not AgentRole.SUPERVISOR:
        raise NotYourTicket("another agent has this ticket")


def resolve(
    session: Session, ticket_id: int, agent: Agent, body: ResolveIn, now: datetime
) -> HandoffTicket:
    """Record the outcome and a note; `hand_back` -> `resolved`, `close` -> `closed`."""
    ticket = get_ticket(session, ticket_id)
    require_handler(ticket, agent)
    closing = body.then is ResolveThen.CLOSE
    ticket.status = TicketStatus.CLOSED if closing else TicketStatus.RESOLVED
    ticket.resolved_at = now
    ticket.outcome = body.outcome
    ticket.note = body.note.strip() or None
    ticket.open_conversation_id = None
    ending = "closed the conversation" if closing else "handed the conversation back to the bot"
    add_system_message(session, ticket, f"{agent.display_name} {ending} ({body.outcome}).", now)
    audit_ticket(
        session,
        ticket,
        actor=agent_actor(agent.id),
        action="ticket.closed" if closing else "ticket.resolved",
        reason=f"outcome: {body.outcome}",
        now=now,
        outcome=str(body.outcome),
    )
    session.commit()
    logger.info(
        "ticket.resolved",
        extra={"conversation_id": ticket.conversation_id, "outcome": str(body.outcome)},
    )
    return ticket


def mark_abandoned(session: Session, now: datetime, config: DeskConfig) -> list[HandoffTicket]:
    """Queued tickets nobody claimed within DESK_ABANDON_AFTER_MINUTES become `abandoned`."""
    cutoff = now - timedelta(minutes=config.abandon_after_minutes)
    stale = session.scalars(
        select(HandoffTicket)
        .where(HandoffTicket.status == TicketStatus.QUEUED, HandoffTicket.created_at <= cutoff)
        .order_by(HandoffTicket.id)
    ).all()
    for ticket in stale:
        ticket.status = TicketStatus.ABANDONED
        ticket.open_conversation_id = None
        add_system_message(session, ticket, "Nobody answered in time; the customer left.", now)
        audit_ticket(
            session,
            ticket,
            actor=BOT_ACTOR,
            action="ticket.abandoned",
            reason=f"not claimed within {config.abandon_after_minutes} minutes",
            now=now,
        )
    session.commit()
    for ticket in stale:
        logger.info("ticket.abandoned", extra={"conversation_id": ticket.conversation_id})
    return list(stale)
