"""Queue updates for waiting customers: who should be told their new position or wait.

The desk's updater runs every DESK_QUEUE_UPDATE_SECONDS:

    for update in queue_updates_due(session, now, config):
        rasa.send_system_line(update.conversation_id, ...)   # "You're now number 2 ..."
        mark_told(session, update, now)                       # only once it was delivered

A customer is due an update when their position changed, or their estimate changed by at
least a whole minute as said ("about 3 minutes"), since what they were last told (at opening:
the answer to POST /handoffs). Tickets that leave the queue are never due.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.language import Language
from bot.desk.models import HandoffTicket
from bot.desk.queue import queued_tickets
from bot.desk.types import TicketStatus
from bot.desk.waits import queue_conditions

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig


def wait_minutes(seconds: int | None) -> int | None:
    """A wait as whole minutes for a sentence: rounded up, at least 1; None stays None."""
    return None if seconds is None else max(1, math.ceil(seconds / 60))


@dataclass(frozen=True, slots=True)
class QueueUpdate:
    ticket_id: int
    conversation_id: str
    position: int
    estimated_wait_seconds: int | None  # None: no agent on duty right now
    language: Language = Language.EN  # the ticket's: the update is written in it

    @property
    def estimated_wait_minutes(self) -> int | None:
        return wait_minutes(self.estimated_wait_seconds)


def _changed(ticket: HandoffTicket, place: int, estimate: int | None) -> bool:
    if ticket.last_update_position != place:
        return True
    return wait_minutes(ticket.last_update_wait) != wait_minutes(estimate)


def queue_updates_due(session: Session, now: datetime, config: DeskConfig) -> list[QueueUpdate]:
    """Waiting customers whose position or estimate changed since they were last told."""
    conditions = queue_conditions(session, now, config)
    due = []
    for place, ticket in enumerate(queued_tickets(session), start=1):
        estimate = conditions.estimate(place)
        if _changed(ticket, place, estimate):
            due.append(
                QueueUpdate(ticket.id, ticket.conversation_id, place, estimate, ticket.language)
            )
    return due


def mark_told(session: Session, told: QueueUpdate, now: datetime) -> None:
    """Remember what the customer was told (only while the ticket is still queued); committed.
    Only the two `last_update_*` columns are written, so a claim meanwhile is not undone."""
    del now  # kept in the signature: every desk write takes the time
    ticket = session.get(HandoffTicket, told.ticket_id)
    if ticket is None or ticket.status is not TicketStatus.QUEUED:
        return
    ticket.last_update_position = told.position
    ticket.last_update_wait = told.estimated_wait_seconds
    session.commit()
