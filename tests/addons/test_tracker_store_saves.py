"""A conversation saved turn after turn: each event is stored and streamed once, in order, and
redacted with the form's question known from the turns already stored (the store redacts only
what the database does not hold yet); the tracker a process keeps between turns is what loading
it back gives, and a turn reads and writes only what is new."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from sqlalchemy import event
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


# -- the process's cache: a turn touches only what is new ------------------------------------


def bot(text: str) -> BotUttered:
    return BotUttered(text, {"buttons": None, "elements": None})


def turn_events(index: int) -> list[Event]:
    """One turn of a verification conversation: a question, the form asking for a secret, the
    secret answered; every fourth and fifth turn a fallback that reverts the message, and a
    person taking over and handing back."""
    if index % 5 == 3:
        return [
            user("asdf qwerty"),
            ActionExecuted("action_handle_fallback"),
            bot("Sorry, I didn't get that."),
            UserUtteranceReverted(),
            ActionExecuted("action_listen"),
        ]
    if index % 5 == 4:
        return [
            user("a person please"),
            ConversationPaused(),
            bot("A colleague will be with you shortly."),
            ConversationResumed(),
            ActionExecuted("action_listen"),
        ]
    if index % 3 == 1:
        return [
            user("my account is 100001 and my card 4111 1111 1111 1111"),
            ActionExecuted("verification_form"),
            ActiveLoop("verification_form"),
            SlotSet("account_number", "100001"),
            SlotSet("requested_slot", "identity_check"),
            bot("What is your date of birth?"),
            ActionExecuted("action_listen"),
        ]
    if index % 3 == 2:
        return [
            user("14 March 1985"),
            ActionExecuted("verification_form"),
            SlotSet("identity_check", "verified"),
            SlotSet("requested_slot", None),
            ActiveLoop(None),
            SlotSet("verified", True),
            bot("Thank you, Ana."),
            ActionExecuted("action_listen"),
        ]
    return [
        user(f"what's my balance? ({index})"),
        ActionExecuted("action_answer_balance"),
        bot("Your balance is 42.00 EUR."),
        ActionExecuted("action_listen"),
    ]


def latest(event: Event | None) -> dict[str, Any] | None:
    """A tracker's latest message or bot utterance; Rasa stamps an empty one (after a reset)
    with the time it was made, so its timestamp says nothing about the conversation."""
    if event is None:
        return None
    data = event.as_dict()
    if data.get("text") is None:
        data.pop("timestamp")
    return data


def state_of(tracker: DialogueStateTracker) -> dict[str, Any]:
    """Everything a turn reads from a tracker."""
    return {
        "state": tracker.current_state(EventVerbosity.ALL),
        "events": [event.as_dict() for event in tracker.events],
        "latest_message": latest(tracker.latest_message),
        "latest_bot": latest(tracker.latest_bot_utterance),
        "slots": tracker.current_slot_values(),
        "active_loop": tracker.active_loop,
        "paused": tracker.is_paused(),
        "followup": tracker.followup_action,
        "latest_action": tracker.latest_action,
    }


def session_start() -> list[Event]:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]


async def handle(store: RedactingSQLTrackerStore, sender: str, events: list[Event]) -> None:
    """What Rasa's processor does with the store in a turn: retrieve, or create and start a
    session; update; save."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = await store.create_tracker(sender, append_action_listen=False)
        events = [*session_start(), *events]
    tracker.update_with_events(events, None)
    await store.save(tracker)


class Statements:
    """The SQL an engine runs, while counting."""

    def __init__(self, store: RedactingSQLTrackerStore) -> None:
        self.seen: list[str] = []
        event.listen(store.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(" ".join(statement.split()))


def test_a_cached_tracker_is_what_loading_it_back_gives(tmp_path: Path, domain: Domain) -> None:
    path = tmp_path / "conversations.db"
    ours = RedactingSQLTrackerStore(domain, db=str(path))
    sender = uuid.uuid4().hex

    async def conversation() -> None:
        for index in range(12):
            await handle(ours, sender, turn_events(index))
            fresh = RedactingSQLTrackerStore(domain, db=str(path))  # loads from the database
            loaded = await fresh.retrieve(sender)
            cached = await ours.retrieve(sender)
            assert cached is not None
            assert loaded is not None
            assert state_of(cached) == state_of(loaded), f"turn {index}"
            assert cached.latest_message is not None
            # The card number in any of its forms (a bare "4111" can occur in a timestamp).
            state = json.dumps(state_of(cached), default=str)
            assert "4111 1111" not in state
            assert "4111111111111111" not in state
            await ours.save(cached)  # handed back unchanged: nothing new is stored

    asyncio.run(conversation())
    assert len(stored_events(path, sender)) == 3 + sum(len(turn_events(i)) for i in range(12))


def test_a_turn_reads_and_writes_only_what_is_new(tmp_path: Path, domain: Domain) -> None:
    store = RedactingSQLTrackerStore(domain, db=str(tmp_path / "conversations.db"))
    sender = uuid.uuid4().hex
    statements = Statements(store)

    async def conversation() -> list[list[str]]:
        per_turn = []
        for index in range(30):
            statements.seen.clear()
            await handle(store, sender, turn_events(index))
            per_turn.append(list(statements.seen))
        return per_turn

    per_turn = asyncio.run(conversation())
    for index, seen in enumerate(per_turn[1:], start=1):
        # No statement reads the stored events' data: no load, no replay of the conversation.
        assert not [sql for sql in seen if sql.startswith("SELECT") and "events.data" in sql]
        inserts = [sql for sql in seen if sql.startswith("INSERT")]
        assert len(inserts) == 1, f"turn {index}: {seen}"  # one statement for the new events
    # The same statements in turn 29 as in turn 14 (same kind of turn): nothing grows.
    assert per_turn[29] == per_turn[14]


def test_what_another_process_wrote_is_loaded(tmp_path: Path, domain: Domain) -> None:
    """Two Sanic workers (or Rasa replicas) take turns in one conversation."""
    path = tmp_path / "conversations.db"
    first = RedactingSQLTrackerStore(domain, db=str(path))
    second = RedactingSQLTrackerStore(domain, db=str(path))
    sender = uuid.uuid4().hex

    async def conversation() -> None:
        await handle(first, sender, turn_events(0))
        await handle(second, sender, turn_events(1))  # first's cache is now behind
        tracker = await first.retrieve(sender)
        assert tracker is not None
        expected = await RedactingSQLTrackerStore(domain, db=str(path)).retrieve(sender)
        assert expected is not None
        assert state_of(tracker) == state_of(expected)
        assert tracker.get_slot("requested_slot") == "identity_check"
        tracker.update_with_events(turn_events(2), None)
        await first.save(tracker)

    asyncio.run(conversation())
    assert len(stored_events(path, sender)) == 3 + sum(len(turn_events(i)) for i in range(3))


def test_a_tracker_changed_but_not_saved_is_not_handed_out(tmp_path: Path, domain: Domain) -> None:
    path = tmp_path / "conversations.db"
    store = RedactingSQLTrackerStore(domain, db=str(path))
    sender = uuid.uuid4().hex

    async def conversation() -> DialogueStateTracker | None:
        tracker = store.init_tracker(sender)
        tracker.update_with_events(turn_events(0), None)
        await store.save(tracker)
        tracker.update_with_events(turn_events(1), None)  # the turn failed before its save
        return await store.retrieve(sender)

    retrieved = asyncio.run(conversation())
    assert retrieved is not None
    assert [event.as_dict() for event in retrieved.events] == stored_events(path, sender)


def test_a_new_session_is_loaded_as_the_database_holds_it(tmp_path: Path, domain: Domain) -> None:
    path = tmp_path / "conversations.db"
    store = RedactingSQLTrackerStore(domain, db=str(path))
    sender = uuid.uuid4().hex

    async def conversation() -> tuple[DialogueStateTracker | None, DialogueStateTracker | None]:
        await handle(store, sender, turn_events(0))
        tracker = await store.retrieve(sender)
        assert tracker is not None
        tracker.update_with_events(
            [ActionExecuted("action_session_start"), SessionStarted(), *turn_events(3)], None
        )
        await store.save(tracker)
        fresh = RedactingSQLTrackerStore(domain, db=str(path))
        statements.seen.clear()
        return await store.retrieve(sender), await fresh.retrieve(sender)

    statements = Statements(store)
    ours, loaded = asyncio.run(conversation())
    assert ours is not None
    assert loaded is not None
    assert state_of(ours) == state_of(loaded)
    assert isinstance(ours.events[0], SessionStarted)
    assert not [sql for sql in statements.seen if "events.data" in sql]  # kept, not loaded


def test_the_cache_keeps_at_most_its_size(
    tmp_path: Path, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "2")
    store = RedactingSQLTrackerStore(domain, db=str(tmp_path / "conversations.db"))
    senders = [uuid.uuid4().hex for _ in range(3)]

    async def conversations() -> None:
        for sender in senders:
            await handle(store, sender, turn_events(0))

    asyncio.run(conversations())
    assert list(store._cache) == senders[1:]
    for sender in senders:  # evicted or not, each conversation's session is retrieved whole
        tracker = asyncio.run(store.retrieve(sender))
        assert tracker is not None
        assert isinstance(tracker.events[0], SessionStarted)  # its session, as Rasa loads it
        assert len(tracker.events) == 2 + len(turn_events(0))
