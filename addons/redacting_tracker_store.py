"""An SQL tracker store that redacts customer messages before they are stored or streamed.

Redacted: every message sent while a form asked for a secret (date of birth or postcode, one-time
code; replaced as a whole), and in every other message what `privacy.masking.mask` finds (card
numbers, security codes, full dates, labelled postcodes) and the words NLU read as a date or a
postcode. Events are redacted when the turn is saved, so the turn's actions still see the text;
the event broker streams the redacted events.

A save touches only the events the database does not hold yet: one count query finds them, they
alone are redacted, streamed and inserted. (Rasa's own save loads and replays the whole stored
conversation to find what to stream; rebuilding a redacted copy of the tracker replayed it again.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from addons.redaction import SECRET_ANSWER_SLOTS, redact_user_event

REQUESTED_SLOT = "requested_slot"


def redact_events(events: Sequence[Event], start: int = 0) -> list[Event]:
    """`events[start:]` with every user message redacted; the slot a form asks for is followed
    from the first event, so an answer to a secret question is known as one."""
    requested_slot: Any = None
    for event in events[:start]:
        if isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
            requested_slot = event.value
    redacted: list[Event] = []
    for event in events[start:]:
        if isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
            requested_slot = event.value
        if isinstance(event, UserUttered):
            data = redact_user_event(
                event.as_dict(), verification_answer=requested_slot in SECRET_ANSWER_SLOTS
            )
            event = Event.from_parameters(data)
        redacted.append(event)
    return redacted


def write_ahead_log(connection: Any, _record: Any) -> None:
    """SQLite: a commit appends to a write-ahead log without waiting for the disk (fsync at
    checkpoints only), and readers never block the writer (two Sanic workers, one file). A
    process crash loses nothing committed; a power cut may lose the last turns, never the file.
    Without it each turn's commit waited for fsync: 7 % of the Rasa process in a profile."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's engine does not test pooled connections: one the database or the network closed
        # while idle fails the next message, and Rasa then carries on with an empty in-memory
        # tracker (the conversation forgotten). A pre-ping reconnects instead (e2e test_faults.py).
        url = self.engine.url
        self.engine.dispose()
        options = create_engine_kwargs(url)
        sqlite_file = url.get_backend_name() == "sqlite" and url.database not in (
            None,
            "",
            ":memory:",
        )
        if sqlite_file:
            # SQLAlchemy 1.4 opens and closes a new SQLite connection per session (NullPool);
            # closing the last one checkpoints the write-ahead log to disk. A pool keeps them
            # open (SQLAlchemy 2.0's default for SQLite files; Rasa uses them from one thread).
            options.update(poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
        self.engine = sa.create_engine(url, pool_pre_ping=True, **options)
        if sqlite_file:
            sa.event.listen(self.engine, "connect", write_ahead_log)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Redact, stream and insert the events of the current session not stored yet."""
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            # As Rasa's `_additional_events` and `stream_events`: the tracker holds the current
            # session, the database holds its first `stored` events.
            stored = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=False
            ).count()
            new_events = redact_events(list(tracker.events), start=stored)
            serialised = [event.as_dict() for event in new_events]
            if self.event_broker is not None:
                for data in serialised:
                    self.event_broker.publish({"sender_id": sender_id, **data})
            for event, data in zip(new_events, serialised, strict=True):
                parse_data = data.get("parse_data") or {}
                session.add(
                    self.SQLEvent(
                        sender_id=sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(parse_data.get("intent") or {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
