"""Messages to customers go through the `outbox_messages` table, then to a `MessageSender`.

The message row is written in the same transaction as what caused it (a one-time code), so a
code is never valid without its message and never sent for a code that was rolled back. After
the commit the configured sender gets the message. The embedded default, `KeepInOutbox`, hands
it to nobody: it stays `queued` and `bot outbox` prints it, which is how a person trying the
bot reads their code. A real sender (SMTP, SMS gateway) implements `deliver`; a message it
delivered is marked `sent` and its body is blanked (the code must not stay readable).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select

from bot.safety.models import OutboxMessage
from bot.safety.types import OutboxChannel, OutboxStatus

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What a sender needs; built from an outbox row."""

    message_id: int
    channel: OutboxChannel
    recipient: str
    subject: str
    body: str


class MessageSender(Protocol):
    """Delivers a message; returns True when a delivery service accepted it."""

    def deliver(self, message: Outgoing) -> bool: ...


class KeepInOutbox:
    """The embedded default: messages stay in the outbox (read them with `bot outbox`)."""

    def deliver(self, message: Outgoing) -> bool:
        return False


def enqueue(
    session: Session,
    *,
    account_id: int | None,
    channel: OutboxChannel,
    recipient: str,
    purpose: str,
    subject: str,
    body: str,
    now: datetime,
) -> OutboxMessage:
    """Add a queued message to `session` (committed with the caller's write)."""
    message = OutboxMessage(
        account_id=account_id,
        channel=channel,
        recipient=recipient,
        purpose=purpose,
        subject=subject,
        body=body,
        status=OutboxStatus.QUEUED,
        created_at=now,
        sent_at=None,
    )
    session.add(message)
    return message


def dispatch(
    session: Session, message: OutboxMessage, sender: MessageSender, now: datetime
) -> bool:
    """Offer a committed message to `sender`; marks it sent (body blanked) if delivered."""
    outgoing = Outgoing(
        message.id, message.channel, message.recipient, message.subject, message.body
    )
    try:
        delivered = sender.deliver(outgoing)
    except Exception:
        logger.exception("outbox.delivery_failed", extra={"rows": 1})
        return False
    if delivered:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.body = ""
        session.commit()
    return delivered


def latest_messages(session: Session, limit: int) -> Sequence[OutboxMessage]:
    """The newest `limit` messages, newest first."""
    return session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    ).all()
