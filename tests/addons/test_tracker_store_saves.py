"""A conversation saved turn after turn: each event is stored and streamed once, in order, and
redacted with the form's question known from the turns already stored (the store redacts only
what the database does not hold yet)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import QueuePool

from addons.redacting_tracker_store import RedactingSQLTrackerStore, redact_events
from addons.redaction import CARD_MASK, VERIFICATION_ANSWER
from tests.addons.test_masking_stores import CollectingBroker

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN))


def user(text: str) -> UserUttered:
    intent = {"name": "provide_verification_info", "confidence": 0.9}
    return UserUttered(text, intent, [], {"text": text, "intent": intent, "entities": []})


def stored_events(path: Path, sender: str) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


def test_each_turn_is_stored_and_streamed_once_and_a_later_answer_is_still_a_secret(
    tmp_path: Path, domain: Domain
) -> None:
    path = tmp_path / "conversations.db"
    broker = CollectingBroker()
    store = RedactingSQLTrackerStore(domain, db=str(path), event_broker=broker)
    sender = uuid.uuid4().hex
    first: list[Event] = [
        ActionExecuted("action_listen"),
        user("my card is 4111 1111 1111 1111"),
        SlotSet("requested_slot", "identity_check"),
        BotUttered("What is your date of birth?"),
        ActionExecuted("action_listen"),
    ]
    # The second turn answers the question asked in the first: the slot is set in stored events.
    second: list[Event] = [user("14 March 1985"), BotUttered("Thank you.")]
    tracker = DialogueStateTracker.from_events(sender, first, slots=list(domain.slots))
    asyncio.run(store.save(tracker))
    tracker.update_with_events(second, domain)
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # nothing new: nothing stored or streamed

    stored = stored_events(path, sender)
    assert [event["event"] for event in stored] == [
        "action",
        "user",
        "slot",
        "bot",
        "action",
        "user",
        "bot",
    ]
    assert stored[1]["text"] == f"my card is {CARD_MASK}"
    assert stored[5]["text"] == VERIFICATION_ANSWER
    assert stored[5]["parse_data"]["text"] == VERIFICATION_ANSWER
    streamed = [event for event in broker.events if event["sender_id"] == sender]
    assert [event["event"] for event in streamed] == [event["event"] for event in stored]
    assert [event.get("text") for event in streamed] == [event.get("text") for event in stored]
    retrieved = asyncio.run(store.retrieve(sender))
    assert retrieved is not None
    assert len(retrieved.events) == len(stored)


def test_redacting_from_an_offset_follows_the_question_asked_before_it() -> None:
    events: list[Event] = [
        SlotSet("requested_slot", "step_up_code"),
        ActionExecuted("action_listen"),
        user("123456"),
    ]
    (listen, answer) = redact_events(events, start=1)
    assert isinstance(listen, ActionExecuted)
    assert isinstance(answer, UserUttered)
    assert answer.text == VERIFICATION_ANSWER
    assert [type(event) for event in redact_events(events)] == [
        SlotSet,
        ActionExecuted,
        UserUttered,
    ]


def test_a_sqlite_store_commits_to_a_write_ahead_log(tmp_path: Path, domain: Domain) -> None:
    path = tmp_path / "conversations.db"
    store = RedactingSQLTrackerStore(domain, db=str(path))
    tracker = DialogueStateTracker.from_events(uuid.uuid4().hex, [ActionExecuted("action_listen")])
    asyncio.run(store.save(tracker))
    with store.engine.connect() as connection:
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    assert synchronous == 1  # NORMAL
    with sqlite3.connect(path) as connection:  # the journal mode is kept in the file
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert len(stored_events(path, tracker.sender_id)) == 1
    assert isinstance(store.engine.pool, QueuePool)  # connections stay open between turns
