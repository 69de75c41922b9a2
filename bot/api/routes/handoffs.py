"""Handoff to a person, for the action server and Rasa's event broker (docs/desk-api.md):
/api/v1/handoffs... and /api/v1/conversation-events. Each change is published to the desk."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from bot.api.deps import NowDep, SessionDep
from bot.api.desk_deps import DeskConfigDep, DeskEventsDep
from bot.core.errors import NotFound
from bot.core.schemas import Id
from bot.desk import records, tickets
from bot.desk.feed import take_conversation_events
from bot.desk.schemas import (
    CallbackIn,
    ConversationEventsIn,
    EventsStoredOut,
    HandoffIn,
    HandoffStatusOut,
)

router = APIRouter(tags=["handoff"])
TicketId = Annotated[Id, Path(description="The handoff ticket's id")]


@router.post(
    "/handoffs",
    status_code=201,
    response_model=HandoffStatusOut,
    responses={200: {"model": HandoffStatusOut, "description": "The conversation's open ticket"}},
)
def open_handoff(
    body: HandoffIn, session: SessionDep, now: NowDep, config: DeskConfigDep, events: DeskEventsDep
) -> JSONResponse:
    """Open a ticket for the conversation (201), or return its open one (200)."""
    opened = tickets.open_ticket(session, body, now, config)
    status = tickets.ticket_status(session, opened.ticket, now, config)
    if opened.created:
        events.ticket_changed(opened.ticket.id, status.status)
    return JSONResponse(status.model_dump(mode="json"), status_code=201 if opened.created else 200)


@router.get("/handoffs/by-conversation/{conversation_id}", response_model=HandoffStatusOut)
def handoff_of_conversation(
    conversation_id: str, session: SessionDep, now: NowDep, config: DeskConfigDep
) -> HandoffStatusOut:
    """The conversation's open ticket: position, estimate, callback offer; 404 if none."""
    ticket = records.open_ticket_of(session, conversation_id)
    if ticket is None:
        raise NotFound("this conversation has no open handoff ticket")
    return tickets.ticket_status(session, ticket, now, config)


@router.post("/handoffs/{ticket_id}/callback", response_model=HandoffStatusOut)
def choose_callback(
    ticket_id: TicketId,
    body: CallbackIn,
    session: SessionDep,
    now: NowDep,
    config: DeskConfigDep,
    events: DeskEventsDep,
) -> HandoffStatusOut:
    """Take one of the offered callback windows; the ticket leaves the live queue."""
    ticket = tickets.choose_callback(session, ticket_id, body.window_start, now, config)
    events.ticket_changed(ticket.id, str(ticket.status))
    return tickets.ticket_status(session, ticket, now, config)


@router.post("/handoffs/{ticket_id}/withdraw", response_model=HandoffStatusOut)
def withdraw(
    ticket_id: TicketId,
    session: SessionDep,
    now: NowDep,
    config: DeskConfigDep,
    events: DeskEventsDep,
) -> HandoffStatusOut:
    """The customer carries on with the bot (`withdrawn`)."""
    ticket = tickets.withdraw(session, ticket_id, now)
    events.ticket_changed(ticket.id, str(ticket.status))
    return tickets.ticket_status(session, ticket, now, config)


@router.post("/conversation-events", status_code=202, response_model=EventsStoredOut)
def conversation_events(
    body: ConversationEventsIn, session: SessionDep, events: DeskEventsDep
) -> EventsStoredOut:
    """Rasa's event broker: messages of conversations with an open ticket reach the desk."""
    return EventsStoredOut(stored=take_conversation_events(session, body.events, events))
