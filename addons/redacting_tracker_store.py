"""An SQL tracker store that redacts customer messages before they are stored or streamed.

Redacted: every message sent while a form asked for a secret (date of birth or postcode, one-time
code; replaced as a whole), and in every other message what `privacy.masking.mask` finds (card
numbers, security codes, full dates, labelled postcodes) and the words NLU read as a date or a
postcode. Events are redacted when the turn is saved, so the turn's actions still see the text;
the event broker streams the redacted events.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.redaction import SECRET_ANSWER_SLOTS, redact_user_event


def redact_events(events: list[Event]) -> list[Event]:
    redacted: list[Event] = []
    requested_slot: Any = None
    for event in events:
        if isinstance(event, SlotSet) and event.key == "requested_slot":
            requested_slot = event.value
        if isinstance(event, UserUttered):
            data = redact_user_event(
                event.as_dict(), verification_answer=requested_slot in SECRET_ANSWER_SLOTS
            )
            event = Event.from_parameters(data)
        redacted.append(event)
    return redacted


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's engine does not test pooled connections: one the database or the network closed
        # while idle fails the next message, and Rasa then carries on with an empty in-memory
        # tracker (the conversation forgotten). A pre-ping reconnects instead (e2e test_faults.py).
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        clean = DialogueStateTracker.from_events(
            tracker.sender_id,
            redact_events(list(tracker.events)),
            slots=list(self.domain.slots),
            sender_source=tracker.sender_source,
        )
        await super().save(clean)
