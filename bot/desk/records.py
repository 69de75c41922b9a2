"""Loading handoff tickets and auditing changes to them (shared by the ticket services)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.core.errors import NotFound
from bot.desk.models import HandoffTicket
from bot.safety.audit import record_audit

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session


def get_ticket(session: Session, ticket_id: int) -> HandoffTicket:
    """The ticket, or NotFound."""
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None:
        raise NotFound("no such handoff ticket")
    return ticket


def open_ticket_of(session: Session, conversation_id: str) -> HandoffTicket | None:
    """The conversation's open ticket (queued, claimed or callback), if any."""
    return session.scalar(
        select(HandoffTicket).where(HandoffTicket.open_conversation_id == conversation_id)
    )


def audit_ticket(
    session: Session,
    ticket: HandoffTicket,
    *,
    actor: str,
    action: str,
    reason: str,
    now: datetime,
    **details: object,
) -> None:
    """An audit entry about `ticket` (its account and conversation); committed by the caller.
    `details` are ids and codes only, never customer text."""
    record_audit(
        session,
        actor=actor,
        action=action,
        account_id=ticket.account_id,
        conversation_id=ticket.conversation_id,
        reason=reason,
        details={"ticket_id": ticket.id, "status": str(ticket.status), **details},
        now=now,
    )
