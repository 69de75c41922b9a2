"""A ticket's transcript: what the action sent at handoff, the conversation since, agent replies.

* `add_transcript` - the action's last turns, stored when the ticket is opened;
* `record_conversation_events` - Rasa's event broker: `user` and `bot` events of conversations
  with an open ticket become `customer`/`bot` messages, stored once per (ticket, sender, event
  timestamp) however often or in whatever order they arrive. Two more duplicates are skipped:
  an event from before the ticket that the action's transcript already holds, and the `bot`
  event Rasa emits for an agent reply the desk stored (its text ends with the reply's text);
  that reply gets the event's timestamp instead;
* `add_agent_message` - an agent's reply (the desk sends it through Rasa);
* `add_system_message` - a note for the agent ("Maria Novak took the conversation").

What the customer wrote is stored masked (`privacy.masking.mask`: card details, dates,
postcodes); bot, agent and system lines lose card details only, so due dates stay readable.
Messages read in order of `at`, then id.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from bot.core.errors import NotYourTicket
from bot.desk.models import HandoffTicket, TicketMessage
from bot.desk.records import audit_ticket, get_ticket
from bot.desk.types import AgentRole, MessageSender, TicketStatus
from bot.safety.actors import agent_actor
from bot.safety.masking import mask, mask_card_numbers

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy.orm import Session

    from bot.desk.models import Agent
    from bot.desk.schemas import ConversationEvent, TranscriptLine

logger = logging.getLogger(__name__)
_SENDER_OF_EVENT = {"user": MessageSender.CUSTOMER, "bot": MessageSender.BOT}
_MAX_TEXT = 4000


def _clean(text: str, sender: MessageSender) -> str:
    # Masked before it is cut, so a cut cannot leave half a card number unrecognised.
    masked = mask if sender == MessageSender.CUSTOMER else mask_card_numbers
    return masked(text.strip())[:_MAX_TEXT]


def add_transcript(
    session: Session, ticket: HandoffTicket, lines: Iterable[TranscriptLine], now: datetime
) -> list[TicketMessage]:
    """Store the action's transcript lines on the ticket (not committed)."""
    messages = [
        TicketMessage(
            ticket_id=ticket.id,
            sender=line.sender,
            text=_clean(line.text, line.sender),
            at=line.at or now,
        )
        for line in lines
        if line.text.strip()
    ]
    session.add_all(messages)
    return messages


def add_system_message(
    session: Session, ticket: HandoffTicket, text: str, now: datetime
) -> TicketMessage:
    """A note on the ticket's transcript for the agent (not committed)."""
    message = TicketMessage(
        ticket_id=ticket.id,
        sender=MessageSender.SYSTEM,
        text=_clean(text, MessageSender.SYSTEM),
        at=now,
    )
    session.add(message)
    return message


def ticket_messages(session: Session, ticket_id: int) -> Sequence[TicketMessage]:
    """The ticket's transcript in order, with each agent message's agent loaded."""
    return session.scalars(
        select(TicketMessage)
        .options(selectinload(TicketMessage.agent))
        .where(TicketMessage.ticket_id == ticket_id)
        .order_by(TicketMessage.at, TicketMessage.id)
    ).all()


def add_agent_message(
    session: Session, ticket_id: int, agent: Agent, text: str, now: datetime
) -> TicketMessage:
    """Store the agent's reply (masked) and commit. The ticket must be claimed by this agent
    (a supervisor may write in any claimed ticket); else NotYourTicket (403)."""
    ticket = get_ticket(session, ticket_id)
    if ticket.status is not TicketStatus.CLAIMED:
        raise NotYourTicket(f"this ticket is {ticket.status}; claim it before replying")
    if ticket.claimed_by != agent.id and agent.role is not AgentRole.SUPERVISOR:
        raise NotYourTicket("another agent has this ticket")
    message = TicketMessage(
        ticket_id=ticket.id,
        sender=MessageSender.AGENT,
        text=_clean(text, MessageSender.AGENT),
        at=now,
        agent_id=agent.id,
    )
    session.add(message)
    session.flush()
    audit_ticket(
        session,
        ticket,
        actor=agent_actor(agent.id),
        action="ticket.replied",
        reason="agent reply",
        now=now,
        message_id=message.id,
    )
    session.commit()
    return message


def _known(
    session: Session, tickets: Iterable[int], stamps: Iterable[float]
) -> set[tuple[int, MessageSender, float]]:
    """(ticket, sender, event timestamp) already stored among these tickets and stamps; an agent
    reply matched to its echo counts as that `bot` event."""
    rows = session.execute(
        select(TicketMessage.ticket_id, TicketMessage.sender, TicketMessage.event_timestamp).where(
            TicketMessage.ticket_id.in_(list(tickets)),
            TicketMessage.event_timestamp.in_(list(stamps)),
        )
    ).all()
    return {
        (ticket, MessageSender.BOT if sender is MessageSender.AGENT else sender, stamp)
        for ticket, sender, stamp in rows
        if stamp is not None
    }


def _unmatched(session: Session, ticket_ids: Iterable[int]) -> list[TicketMessage]:
    """Transcript lines and agent replies that no broker event was matched to yet."""
    return list(
        session.scalars(
            select(TicketMessage)
            .where(
                TicketMessage.ticket_id.in_(list(ticket_ids)),
                TicketMessage.event_timestamp.is_(None),
                TicketMessage.sender != MessageSender.SYSTEM,
            )
            .order_by(TicketMessage.at, TicketMessage.id)
        ).all()
    )


def _duplicate_of(
    candidates: list[TicketMessage],
    ticket: HandoffTicket,
    sender: MessageSender,
    text: str,
    at: datetime,
) -> TicketMessage | None:
    """The stored line this event repeats: an agent reply echoed by Rasa, or a transcript line
    the action sent for a turn before the ticket existed."""
    for message in candidates:
        if message.ticket_id != ticket.id:
            continue
        if sender is MessageSender.BOT and message.sender is MessageSender.AGENT:
            if text.endswith(message.text):  # Rasa's text carries the "Maria (...): " prefix
                return message
        elif at <= ticket.created_at and message.sender is sender and message.text == text:
            return message
    return None


def _store(session: Session, events: Sequence[ConversationEvent]) -> list[TicketMessage]:
    wanted = [e for e in events if e.event in _SENDER_OF_EVENT and (e.text or "").strip()]
    ids = {e.sender_id for e in wanted}
    if not ids:
        return []
    open_tickets = {
        ticket.open_conversation_id: ticket
        for ticket in session.scalars(
            select(HandoffTicket).where(HandoffTicket.open_conversation_id.in_(ids))
        )
    }
    ticket_ids = [ticket.id for ticket in open_tickets.values()]
    seen = _known(session, ticket_ids, {e.timestamp for e in wanted})
    candidates = _unmatched(session, ticket_ids)
    stored: list[TicketMessage] = []
    for event in sorted(wanted, key=lambda e: e.timestamp):
        ticket = open_tickets.get(event.sender_id)
        if ticket is None:
            continue
        sender = _SENDER_OF_EVENT[event.event]
        key = (ticket.id, sender, event.timestamp)
        if key in seen:
            continue
        seen.add(key)
        text, at = _clean(event.text or "", sender), datetime.fromtimestamp(event.timestamp, UTC)
        duplicate = _duplicate_of(candidates, ticket, sender, text, at)
        if duplicate is not None:
            candidates.remove(duplicate)
            if duplicate.sender is MessageSender.AGENT:
                duplicate.event_timestamp = event.timestamp
            continue
        message = TicketMessage(
            ticket_id=ticket.id, sender=sender, text=text, at=at, event_timestamp=event.timestamp
        )
        session.add(message)
        stored.append(message)
    session.flush()
    return stored


def record_conversation_events(
    session: Session, events: Sequence[ConversationEvent]
) -> list[TicketMessage]:
    """Store the events that belong on an open ticket's transcript (see the module docstring);
    returns the new messages in order, for the desk to push. Committed."""
    for attempt in range(2):
        try:
            stored = _store(session, events)
            session.commit()
        except IntegrityError:  # the same events stored concurrently: read them and skip them
            session.rollback()
            if attempt:
                raise
            continue
        if stored:
            logger.info("ticket.messages_stored", extra={"rows": len(stored)})
        return sorted(stored, key=lambda message: (message.at, message.id))
    return []  # pragma: no cover - the loop returns or raises
