"""An SQL tracker store that redacts customer messages before they are stored or streamed.

Redacted: every message sent while a form asked for a secret (date of birth or postcode, one-time
code; replaced as a whole), and in every other message what `privacy.masking.mask` finds (card
numbers, security codes, full dates, labelled postcodes) and the words NLU read as a date or a
postcode. Events are redacted when the turn is saved, so the turn's actions still see the text;
the event broker streams the redacted events.

A turn touches only what is new in it (Rasa's own store loads, parses and replays the whole
stored conversation on every message, and once more on every save to find what to stream):

- A save redacts, streams and inserts only the events the database does not hold yet. Which
  those are it knows from the tracker it handed out (its length then); for any other tracker one
  count query finds them, as Rasa's `_additional_events` does.
- After a save the tracker stays in this process's cache, made equal to what loading it back
  would give: its new events are swapped for their stored (redacted, serialised and parsed) form.
  The next `retrieve` hands it out (and out of the cache) when the database still holds exactly
  what it held then: the count and the highest id of the conversation's rows, one indexed query.
  Anything else wrote meanwhile (another Sanic worker or Rasa replica, the HTTP API), the
  conversation started a new session, or the tracker changed without being saved: it is loaded
  from the database as before. `TRACKER_CACHE_SIZE` conversations are kept (least recently
  used first out; 0 turns the cache off).
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from addons.redaction import SECRET_ANSWER_SLOTS, redact_user_event

REQUESTED_SLOT = "requested_slot"
DEFAULT_CACHE_SIZE = 256
_STORED = "_stored_state"  # attribute of a tracker this store loaded or saved: its StoredState


@dataclass(frozen=True)
class Fingerprint:
    """What the database holds of one conversation (all its sessions): row count, highest id."""

    rows: int
    last_id: int | None


@dataclass(frozen=True)
class StoredState:
    """A tracker as the database held it: its first `length` events are the stored ones (the
    current session's), and the conversation's rows then were `fingerprint`."""

    sender_id: str
    length: int
    fingerprint: Fingerprint


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
        table = self.SQLEvent.__table__
        self._fingerprint_query = sa.select(
            sa.func.count(table.c.id), sa.func.max(table.c.id)
        ).where(table.c.sender_id == sa.bindparam("sender_id"))
        self._cache: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        self._cache_size = int(os.environ.get("TRACKER_CACHE_SIZE", DEFAULT_CACHE_SIZE))

    def _fingerprint(self, session: Any, sender_id: str) -> Fingerprint:
        rows, last_id = session.execute(self._fingerprint_query, {"sender_id": sender_id}).one()
        return Fingerprint(int(rows), last_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The current session's tracker: from the cache when the database holds what it held
        at the save that cached it, else loaded (see the module docstring)."""
        with self.session_scope() as session:
            fingerprint = self._fingerprint(session, sender_id)
            cached = self._cache.pop(sender_id, None)
            if cached is not None:
                state: StoredState = getattr(cached, _STORED)
                if state.fingerprint == fingerprint and len(cached.events) == state.length:
                    return cached
            if fingerprint.rows == 0:
                return None
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            if self.domain is None or not rows:
                return None
            tracker = DialogueStateTracker.from_dict(
                sender_id, [json.loads(row.data) for row in rows], self.domain.slots
            )
        setattr(tracker, _STORED, StoredState(sender_id, len(tracker.events), fingerprint))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Redact, stream and insert the events of the current session not stored yet."""
        sender_id = tracker.sender_id
        self._cache.pop(sender_id, None)
        with self.session_scope() as session:
            before = self._fingerprint(session, sender_id)
            state: StoredState | None = getattr(tracker, _STORED, None)
            if (
                state is not None
                and state.sender_id == sender_id
                and state.fingerprint == before
                and len(tracker.events) >= state.length
            ):
                stored = state.length  # this tracker holds the stored events and nothing wrote
            else:
                # As Rasa's `_additional_events`: the tracker holds the current session, the
                # database holds its first `stored` events.
                stored = self._event_query(
                    session, sender_id, fetch_events_from_all_sessions=False
                ).count()
            originals = list(tracker.events)[stored:]
            new_events = redact_events(list(tracker.events), start=stored)
            serialised = [event.as_dict() for event in new_events]
            if self.event_broker is not None:
                for data in serialised:
                    self.event_broker.publish({"sender_id": sender_id, **data})
            texts = [json.dumps(data) for data in serialised]
            if texts:
                session.execute(
                    self.SQLEvent.__table__.insert(),
                    [
                        self._row(sender_id, event, data, text)
                        for event, data, text in zip(new_events, serialised, texts, strict=True)
                    ],
                )
            after = Fingerprint(
                before.rows + len(texts), self._fingerprint(session, sender_id).last_id
            )
            session.commit()
        if stored <= len(tracker.events):
            self._keep(tracker, stored, originals, texts, after)

    @staticmethod
    def _row(sender_id: str, event: Event, data: dict[str, Any], text: str) -> dict[str, Any]:
        parse_data = data.get("parse_data") or {}
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": (parse_data.get("intent") or {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": text,
        }

    def _keep(
        self,
        tracker: DialogueStateTracker,
        stored: int,
        originals: list[Event],
        texts: list[str],
        fingerprint: Fingerprint,
    ) -> None:
        """Cache the saved tracker as loading it back would give it: the new events replaced by
        their stored form, and what the tracker's state holds of them (the latest message, the
        latest bot utterance, the message that started the active form) pointing at those."""
        if self._cache_size <= 0 or self.max_event_history or self.domain is None:
            return
        loaded = [Event.from_parameters(json.loads(text)) for text in texts]
        if any(event is None for event in loaded):
            return  # an event Rasa cannot read back: let the database say what it is
        if any(isinstance(event, SessionStarted) for event in loaded):
            # A new session: loading gives the events from its start on (as Rasa's query
            # selects them, by timestamp), replayed into a new tracker.
            events = [*list(tracker.events)[:stored], *loaded]
            start = max(e.timestamp for e in events if isinstance(e, SessionStarted))
            tracker = DialogueStateTracker.from_events(
                tracker.sender_id,
                [e for e in events if e.timestamp is not None and e.timestamp >= start],
                self.domain.slots,
            )
            self._remember(tracker, fingerprint)
            return
        pairs = list(zip(originals, loaded, strict=True))
        swapped: dict[int, Any] = {id(old): new for old, new in pairs}
        swapped.update(
            (id(old.parse_data), new.parse_data)
            for old, new in pairs
            if isinstance(old, UserUttered) and isinstance(new, UserUttered)
        )
        tracker.events = deque(
            [*list(tracker.events)[:stored], *loaded], maxlen=tracker.events.maxlen
        )
        tracker.latest_message = swapped.get(id(tracker.latest_message), tracker.latest_message)
        tracker.latest_bot_utterance = swapped.get(
            id(tracker.latest_bot_utterance), tracker.latest_bot_utterance
        )
        loop = tracker.active_loop
        if loop is not None:
            loop.trigger_message = swapped.get(id(loop.trigger_message), loop.trigger_message)
        self._remember(tracker, fingerprint)

    def _remember(self, tracker: DialogueStateTracker, fingerprint: Fingerprint) -> None:
        setattr(tracker, _STORED, StoredState(tracker.sender_id, len(tracker.events), fingerprint))
        self._cache[tracker.sender_id] = tracker
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
