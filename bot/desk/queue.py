"""The live queue: priority of a ticket, queue order, positions and the open tickets.

Priority (docs/desk-api.md): `upset_customer` 3, `beyond_authority` 2, `verification_locked` 2,
`repeated_fallback` 1, `customer_request` 1; +1 when the account's churn risk is at least 0.5.
Order: priority (high first), then arrival, then id (two tickets in the same instant).
Only `queued` tickets are in the queue; position 1 is the next to be answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import and_, func, or_, select

from bot.commerce.churn import churn_risk
from bot.commerce.history import account_history
from bot.desk.models import HandoffTicket
from bot.desk.types import HandoffReason, TicketStatus

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from sqlalchemy.orm import Session

    from bot.billing.models import Account

REASON_PRIORITY: Final = {
    HandoffReason.UPSET_CUSTOMER: 3,
    HandoffReason.BEYOND_AUTHORITY: 2,
    HandoffReason.VERIFICATION_LOCKED: 2,
    HandoffReason.REPEATED_FALLBACK: 1,
    HandoffReason.CUSTOMER_REQUEST: 1,
}
CHURN_RISK_BONUS_FROM: Final = 0.5
QUEUE_ORDER: Final = (
    HandoffTicket.priority.desc(),
    HandoffTicket.created_at,
    HandoffTicket.id,
)


def priority(reason: HandoffReason, risk: float | None) -> int:
    """The ticket's priority; `risk` is the account's churn risk (None: no account)."""
    bonus = 1 if risk is not None and risk >= CHURN_RISK_BONUS_FROM else 0
    return REASON_PRIORITY[reason] + bonus


def account_churn_risk(session: Session, account: Account, today: date) -> float:
    """The churn-risk score of the account (bot.commerce.churn), 0.00..1.00."""
    return churn_risk(account_history(session, account, today), today)


def queued_tickets(session: Session) -> Sequence[HandoffTicket]:
    """The queue, next to be answered first."""
    return session.scalars(
        select(HandoffTicket)
        .where(HandoffTicket.status == TicketStatus.QUEUED)
        .order_by(*QUEUE_ORDER)
    ).all()


def queue_length(session: Session) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(HandoffTicket)
        .where(HandoffTicket.status == TicketStatus.QUEUED)
    )
    return int(count or 0)


def position(session: Session, ticket: HandoffTicket) -> int | None:
    """1 + the queued tickets ahead of this one; None when it is not queued."""
    if ticket.status is not TicketStatus.QUEUED:
        return None
    ahead = or_(
        HandoffTicket.priority > ticket.priority,
        and_(
            HandoffTicket.priority == ticket.priority,
            or_(
                HandoffTicket.created_at < ticket.created_at,
                and_(HandoffTicket.created_at == ticket.created_at, HandoffTicket.id < ticket.id),
            ),
        ),
    )
    count = session.scalar(
        select(func.count())
        .select_from(HandoffTicket)
        .where(HandoffTicket.status == TicketStatus.QUEUED, ahead)
    )
    return int(count or 0) + 1


def positions(session: Session) -> dict[int, int]:
    """Ticket id -> position, for every queued ticket."""
    return {ticket.id: index for index, ticket in enumerate(queued_tickets(session), start=1)}


def open_tickets(session: Session) -> list[HandoffTicket]:
    """Open tickets for the desk: the queue in order, then claimed ones (oldest claim first),
    then callbacks (earliest window first)."""
    claimed = session.scalars(
        select(HandoffTicket)
        .where(HandoffTicket.status == TicketStatus.CLAIMED)
        .order_by(HandoffTicket.claimed_at, HandoffTicket.id)
    ).all()
    callbacks = session.scalars(
        select(HandoffTicket)
        .where(HandoffTicket.status == TicketStatus.CALLBACK)
        .order_by(HandoffTicket.callback_start, HandoffTicket.id)
    ).all()
    return [*queued_tickets(session), *claimed, *callbacks]
