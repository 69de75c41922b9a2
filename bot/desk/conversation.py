"""The desk's actions that reach the customer: each ticket change together with its Rasa call.

    ticket = await claim_and_pause(db, rasa, ticket_id, agent, now)
    message = await reply(db, rasa, ticket_id, agent, text, now)
    ticket = await resolve_and_resume(db, rasa, ticket_id, agent, body, now)

Database work runs in the thread pool (the services are synchronous); Rasa calls are awaited.
Order and failure, chosen so that a retry is always safe:

* claim: the claim is stored, then Rasa pauses the conversation. If Rasa is down the claim
  stands and RasaUnavailable (503) is raised; claiming again (one's own ticket) pauses again.
* reply: the message is stored first (so the echo Rasa's event broker sends back is recognised
  as this reply), then sent. If Rasa is down the message stays in the transcript followed by a
  system line saying it was not delivered, and RasaUnavailable (503) is raised: the agent sends
  it again. There is no "delivered" column: the system line is the record.
* resolve: who may resolve is checked, then Rasa resumes the conversation and the closing line
  is sent, and only then is the ticket resolved. If Rasa is down nothing changes (503): a
  resolved ticket must never leave the customer with a paused bot. Once resolved, the bot asks
  the end-of-conversation survey (its own action, once per session); that is best-effort: if Rasa
  fails then, the ticket stays resolved and the customer simply is not asked (logged).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from bot.core.errors import RasaUnavailable
from bot.desk import lines
from bot.desk.handling import claim, require_handler, resolve
from bot.desk.records import get_ticket
from bot.desk.transcript import add_agent_message, add_system_message
from bot.desk.types import ResolveThen

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.core.language import Language
    from bot.desk.models import Agent, HandoffTicket, TicketMessage
    from bot.desk.rasa_client import RasaClient
    from bot.desk.schemas import ResolveIn

logger = logging.getLogger(__name__)


def first_name(agent: Agent) -> str:
    """How the customer sees the agent: the first word of the display name."""
    return agent.display_name.split()[0] if agent.display_name.strip() else "An agent"


async def claim_and_pause(
    db: Session, rasa: RasaClient, ticket_id: int, agent: Agent, now: datetime
) -> HandoffTicket:
    ticket = await run_in_threadpool(claim, db, ticket_id, agent, now)
    await rasa.pause(ticket.conversation_id)
    return ticket


def _note_undelivered(db: Session, ticket_id: int, now: datetime) -> TicketMessage:
    note = add_system_message(db, get_ticket(db, ticket_id), lines.NOT_DELIVERED, now)
    db.commit()
    return note


async def reply(
    db: Session, rasa: RasaClient, ticket_id: int, agent: Agent, text: str, now: datetime
) -> TicketMessage:
    """Store the agent's message and send it; see the module docstring when Rasa is down."""
    message, conversation_id, language = await run_in_threadpool(
        _store_reply, db, ticket_id, agent, text, now
    )
    try:
        await rasa.send_agent_reply(conversation_id, first_name(agent), message.text, language)
    except RasaUnavailable:
        await run_in_threadpool(_note_undelivered, db, ticket_id, now)
        logger.warning("desk.reply_undelivered", extra={"conversation_id": conversation_id})
        raise
    return message


def _store_reply(
    db: Session, ticket_id: int, agent: Agent, text: str, now: datetime
) -> tuple[TicketMessage, str, Language]:
    message = add_agent_message(db, ticket_id, agent, text, now)
    ticket = get_ticket(db, ticket_id)
    return message, ticket.conversation_id, ticket.language


def _check_handler(db: Session, ticket_id: int, agent: Agent) -> HandoffTicket:
    ticket = get_ticket(db, ticket_id)
    require_handler(ticket, agent)
    return ticket


async def resolve_and_resume(
    db: Session, rasa: RasaClient, ticket_id: int, agent: Agent, body: ResolveIn, now: datetime
) -> HandoffTicket:
    """Resume the bot, say the closing line, record the outcome, then have the bot ask the
    survey (see the docstring)."""
    ticket = await run_in_threadpool(_check_handler, db, ticket_id, agent)
    await rasa.resume(ticket.conversation_id)
    closing = (
        lines.goodbye(ticket.language)
        if body.then is ResolveThen.CLOSE
        else lines.hand_back(ticket.language)
    )
    await rasa.send_system_line(ticket.conversation_id, closing)
    resolved = await run_in_threadpool(resolve, db, ticket_id, agent, body, now)
    try:
        await rasa.ask_survey(resolved.conversation_id)
    except RasaUnavailable:
        logger.warning(
            "desk.survey_not_asked",
            extra={"conversation_id": resolved.conversation_id, "ticket_id": resolved.id},
        )
    return resolved
