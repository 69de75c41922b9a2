"""Rasa's conversation events into the desk: stored on open tickets' transcripts, then pushed.

One rule for both ways the events arrive: the HTTP broker's POST /api/v1/conversation-events
(`make run`) and the RabbitMQ consumer (`bot.desk.broker_consumer`, `make run-cluster`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.desk import transcript
from bot.desk.views import message_out

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from bot.desk.events import DeskEvents
    from bot.desk.schemas import ConversationEvent


def take_conversation_events(
    session: Session, events: Sequence[ConversationEvent], desk_events: DeskEvents
) -> int:
    """Store the events that belong on an open ticket (committed, deduplicated) and push each
    new message to the desk; returns how many messages were new."""
    stored = transcript.record_conversation_events(session, events)
    for message in stored:
        desk_events.publish(
            "message",
            {
                "ticket_id": message.ticket_id,
                "message": message_out(message).model_dump(mode="json"),
            },
        )
    return len(stored)
