"""Handoff tickets, the customer's side: open, status, callback, withdraw (service-token API).

    opened = open_ticket(session, body, now, config)      # OpenedTicket(ticket, created)
    status = ticket_status(session, opened.ticket, now, config)   # HandoffStatusOut
    choose_callback(session, ticket_id, window_start, now, config)
    withdraw(session, ticket_id, now)

One open ticket per conversation: opening again returns the open one (the database enforces it
with the unique `open_conversation_id`). The account is the conversation's live verified
session's, never one the caller names. Slots are filtered to `ALLOWED_SLOTS`; transcript lines
are stored with card numbers masked. Every change is audited (actor `bot`) and committed.
The desk's side (claim, resolve, abandon) is in `bot.desk.handling`; messages in
`bot.desk.transcript`; queue updates in `bot.desk.updates`; lookups (`get_ticket`,
`open_ticket_of`) in `bot.desk.records`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.billing.models import Account, VerifiedSession
from bot.commerce.models import Offer
from bot.core.errors import AlreadyClaimed, InvalidRequest, TicketClosed
from bot.desk.hours import callback_windows, window_label
from bot.desk.models import HandoffTicket
from bot.desk.queue import account_churn_risk, position, priority
from bot.desk.records import audit_ticket, get_ticket, open_ticket_of
from bot.desk.schemas import CallbackWindowOut, HandoffStatusOut
from bot.desk.transcript import add_system_message, add_transcript
from bot.desk.types import OPEN_STATUSES, TicketStatus
from bot.desk.waits import queue_conditions
from bot.review.models import Finding
from bot.safety.actors import BOT_ACTOR
from bot.safety.masking import mask_card_numbers

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.core.language import Language
    from bot.desk.config import DeskConfig
    from bot.desk.hours import CallbackWindow
    from bot.desk.schemas import HandoffIn

logger = logging.getLogger(__name__)
# Slots an agent may see. Never: account numbers the customer typed, identity answers, dates of
# birth, postcodes, one-time codes or step-up channels.
ALLOWED_SLOTS: Final = frozenset(
    {
        "pending_operation",
        "awaiting_confirmation",
        "verified",
        "verification_locked",
        "stepped_up",
        "handoff_reason",
        "handoff_ticket",
        "invoice_number",
        "month",
        "preference",
        "switch",
    }
)
_SLOT_TEXT: Final = 200


@dataclass(frozen=True, slots=True)
class OpenedTicket:
    ticket: HandoffTicket
    created: bool  # False: the conversation's open ticket was returned


def allowed_slots(slots: Mapping[str, Any]) -> dict[str, Any]:
    """Only allow-listed slots with plain values; text shortened and card numbers masked."""
    kept: dict[str, Any] = {}
    for name, value in slots.items():
        if name not in ALLOWED_SLOTS:
            continue
        if isinstance(value, str):
            kept[name] = mask_card_numbers(value[:_SLOT_TEXT])
        elif value is None or isinstance(value, bool | int | float):
            kept[name] = value
    return kept


def live_verified_account(session: Session, conversation_id: str, now: datetime) -> Account | None:
    """The account of the conversation's newest live verified session, if there is one."""
    return session.scalar(
        select(Account)
        .join(VerifiedSession, VerifiedSession.account_id == Account.id)
        .where(
            VerifiedSession.conversation_id == conversation_id,
            VerifiedSession.revoked_at.is_(None),
            VerifiedSession.expires_at > now,
        )
        .order_by(VerifiedSession.created_at.desc(), VerifiedSession.id.desc())
        .limit(1)
    )


def _of_account(row: Finding | Offer | None, account: Account | None) -> int | None:
    """The row's id if it belongs to the ticket's account (a caller cannot point elsewhere)."""
    if row is None or account is None or row.account_id != account.id:
        return None
    return row.id


def _new_ticket(session: Session, body: HandoffIn, now: datetime) -> HandoffTicket:
    account = live_verified_account(session, body.conversation_id, now)
    risk = account_churn_risk(session, account, now.date()) if account else None
    finding = session.get(Finding, body.finding_id) if body.finding_id is not None else None
    offer = session.get(Offer, body.offer_id) if body.offer_id is not None else None
    return HandoffTicket(
        conversation_id=body.conversation_id,
        open_conversation_id=body.conversation_id,
        channel=body.channel,
        language=body.language,
        account_id=account.id if account else None,
        verified=account is not None,
        reason=body.reason,
        priority=priority(body.reason, risk),
        summary=mask_card_numbers(body.summary),
        intents=[intent[:64] for intent in body.intents],
        slots=allowed_slots(body.slots),
        finding_id=_of_account(finding, account),
        offer_id=_of_account(offer, account),
        status=TicketStatus.QUEUED,
        created_at=now,
        churn_risk=None if risk is None else Decimal(str(risk)),
    )


def open_ticket(
    session: Session, body: HandoffIn, now: datetime, config: DeskConfig
) -> OpenedTicket:
    """Open a ticket for the conversation, or return its open one (see the module docstring)."""
    existing = open_ticket_of(session, body.conversation_id)
    if existing is not None:
        return OpenedTicket(existing, created=False)
    ticket = _new_ticket(session, body, now)
    session.add(ticket)
    try:
        session.flush()
    except IntegrityError:  # opened concurrently by another request: that one wins
        session.rollback()
        existing = open_ticket_of(session, body.conversation_id)
        if existing is None:
            raise
        return OpenedTicket(existing, created=False)
    told = queue_conditions(session, now, config).estimate(position(session, ticket) or 1)
    ticket.estimated_wait_seconds = told
    ticket.last_update_position = position(session, ticket)
    ticket.last_update_wait = told
    add_transcript(session, ticket, body.transcript, now)
    audit_ticket(
        session,
        ticket,
        actor=BOT_ACTOR,
        action="ticket.opened",
        reason=f"handoff requested: {body.reason}",
        now=now,
        reason_code=str(body.reason),
        priority=ticket.priority,
        verified=ticket.verified,
    )
    session.commit()
    logger.info(
        "ticket.opened",
        extra={"conversation_id": ticket.conversation_id, "account_id": ticket.account_id},
    )
    return OpenedTicket(ticket, created=True)


def _window_out(
    window: CallbackWindow, now: datetime, config: DeskConfig, language: Language
) -> CallbackWindowOut:
    """A window as the customer is offered it: labelled in the ticket's language."""
    label = window_label(window.start, window.end, now, config.opening_hours.zone, language)
    return CallbackWindowOut(start=window.start, end=window.end, label=label)


def ticket_status(
    session: Session, ticket: HandoffTicket, now: datetime, config: DeskConfig
) -> HandoffStatusOut:
    """Position, estimate and callback offer of the ticket, as the handoff routes answer."""
    conditions = queue_conditions(session, now, config)
    place = position(session, ticket)
    estimate = conditions.estimate(place) if place is not None else None
    open_now = config.opening_hours.is_open(now)
    waiting = ticket.status is TicketStatus.QUEUED
    offered = waiting and (
        not open_now
        or conditions.agents_on_duty == 0
        or (estimate is not None and estimate > config.callback_above_seconds)
    )
    chosen = None
    if ticket.callback_start is not None and ticket.callback_end is not None:
        start, end = ticket.callback_start, ticket.callback_end
        label = window_label(start, end, now, config.opening_hours.zone, ticket.language)
        chosen = CallbackWindowOut(start=start, end=end, label=label)
    return HandoffStatusOut(
        ticket_id=ticket.id,
        status=str(ticket.status),
        position=place,
        estimated_wait_seconds=estimate,
        agents_on_duty=conditions.agents_on_duty,
        open_now=open_now,
        callback_offered=offered,
        callback_windows=[
            _window_out(w, now, config, ticket.language)
            for w in callback_windows(config.opening_hours, now)
        ],
        callback_window=chosen,
    )


def _require_waiting(ticket: HandoffTicket) -> None:
    """Raise unless the customer can still change how they wait (queued or callback)."""
    if ticket.status is TicketStatus.CLAIMED:
        raise AlreadyClaimed("an agent has already taken this conversation")
    if ticket.status not in OPEN_STATUSES:
        raise TicketClosed(f"this handoff ticket is {ticket.status}")


def choose_callback(
    session: Session, ticket_id: int, window_start: datetime, now: datetime, config: DeskConfig
) -> HandoffTicket:
    """Put the ticket on the callback window starting at `window_start` (one that was offered:
    computed when the ticket was opened or now, and not begun yet); it leaves the live queue."""
    ticket = get_ticket(session, ticket_id)
    _require_waiting(ticket)
    offered = callback_windows(config.opening_hours, ticket.created_at) + callback_windows(
        config.opening_hours, now
    )
    window = next((w for w in offered if w.start == window_start and w.start > now), None)
    if window is None:
        raise InvalidRequest("window_start is not one of the offered callback windows")
    ticket.status = TicketStatus.CALLBACK
    ticket.callback_start, ticket.callback_end = window.start, window.end
    label = window_label(window.start, window.end, now, config.opening_hours.zone)
    add_system_message(session, ticket, f"The customer asked for a callback: {label}.", now)
    audit_ticket(
        session,
        ticket,
        actor=BOT_ACTOR,
        action="ticket.callback_chosen",
        reason=f"callback window {label}",
        now=now,
        window_start=window.start.isoformat(),
    )
    session.commit()
    logger.info("ticket.callback_chosen", extra={"conversation_id": ticket.conversation_id})
    return ticket


def withdraw(session: Session, ticket_id: int, now: datetime) -> HandoffTicket:
    """The customer carries on with the bot: `withdrawn` (idempotent for a withdrawn ticket)."""
    ticket = get_ticket(session, ticket_id)
    if ticket.status is TicketStatus.WITHDRAWN:
        return ticket
    _require_waiting(ticket)
    ticket.status = TicketStatus.WITHDRAWN
    ticket.open_conversation_id = None
    add_system_message(session, ticket, "The customer went back to the assistant.", now)
    audit_ticket(
        session,
        ticket,
        actor=BOT_ACTOR,
        action="ticket.withdrawn",
        reason="customer withdrew",
        now=now,
    )
    session.commit()
    logger.info("ticket.withdrawn", extra={"conversation_id": ticket.conversation_id})
    return ticket
