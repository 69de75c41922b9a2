"""What the desk shows of tickets: summaries for the queue list and transcript messages.

    queue_view(session, now, config)            # QueueOut: open tickets + agents on duty
    ticket_summary(session, ticket, now, config)
    messages_out(session, ticket_id)            # the transcript as MessageOut
    message_out(message)                        # one message (what `message` events carry)

The customer's name and account number appear only for verified tickets (the account was
attached from the conversation's verified session). The account view of a ticket's detail is
built by the desk routes from the billing services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.billing.models import Account, Customer
from bot.desk.hours import window_label
from bot.desk.models import Agent
from bot.desk.queue import open_tickets, positions
from bot.desk.schemas import CallbackWindowOut, MessageOut, QueueOut, TicketSummary
from bot.desk.transcript import ticket_messages
from bot.desk.waits import agents_on_duty

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig
    from bot.desk.models import HandoffTicket, TicketMessage


def message_out(message: TicketMessage) -> MessageOut:
    return MessageOut(
        id=message.id,
        sender=message.sender,
        text=message.text,
        at=message.at,
        agent_name=message.agent.display_name if message.agent is not None else None,
    )


def messages_out(session: Session, ticket_id: int) -> list[MessageOut]:
    return [message_out(message) for message in ticket_messages(session, ticket_id)]


def _customers(session: Session, account_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Account id -> (account number, customer name)."""
    rows = session.execute(
        select(Account.id, Account.account_number, Customer.first_name, Customer.last_name)
        .join(Customer, Customer.id == Account.customer_id)
        .where(Account.id.in_(list(account_ids)))
    ).all()
    return {row[0]: (row[1], f"{row[2]} {row[3]}") for row in rows}


def _agents(session: Session, agent_ids: Iterable[int]) -> dict[int, str]:
    rows = session.execute(
        select(Agent.id, Agent.display_name).where(Agent.id.in_(list(agent_ids)))
    ).all()
    return {row[0]: row[1] for row in rows}


def _summaries(
    session: Session,
    tickets: Sequence[HandoffTicket],
    places: dict[int, int],
    now: datetime,
    config: DeskConfig,
) -> list[TicketSummary]:
    customers = _customers(session, {t.account_id for t in tickets if t.account_id is not None})
    agents = _agents(session, {t.claimed_by for t in tickets if t.claimed_by is not None})
    summaries = []
    for ticket in tickets:
        number, name = customers.get(ticket.account_id or 0, (None, None))
        window = None
        if ticket.callback_start is not None and ticket.callback_end is not None:
            start, end = ticket.callback_start, ticket.callback_end
            label = window_label(start, end, now, config.opening_hours.zone)
            window = CallbackWindowOut(start=start, end=end, label=label)
        waited_until = ticket.claimed_at or now
        summaries.append(
            TicketSummary(
                id=ticket.id,
                status=str(ticket.status),
                reason=ticket.reason,
                priority=ticket.priority,
                position=places.get(ticket.id),
                created_at=ticket.created_at,
                waiting_seconds=max(0, int((waited_until - ticket.created_at).total_seconds())),
                verified=ticket.verified,
                customer_name=name if ticket.verified else None,
                account_number=number if ticket.verified else None,
                claimed_by=agents.get(ticket.claimed_by or 0),
                claimed_by_agent_id=ticket.claimed_by,
                channel=ticket.channel,
                language=ticket.language,
                callback_window=window,
            )
        )
    return summaries


def ticket_summary(
    session: Session, ticket: HandoffTicket, now: datetime, config: DeskConfig
) -> TicketSummary:
    return _summaries(session, [ticket], positions(session), now, config)[0]


def queue_view(session: Session, now: datetime, config: DeskConfig) -> QueueOut:
    """Open tickets: the queue in order, then claimed ones, then callbacks."""
    tickets = open_tickets(session)
    return QueueOut(
        tickets=_summaries(session, tickets, positions(session), now, config),
        agents_on_duty=agents_on_duty(session, now),
    )
