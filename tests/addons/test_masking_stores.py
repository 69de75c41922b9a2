"""Generated card numbers, security codes, dates and postcodes inside random sentences reach
neither the SQLite tracker store, nor the events it streams, nor the back end through the event
broker; what the channel lets through to NLU keeps dates (the verification reads them)."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.identity_input import parse_date
from addons.channels import clean_incoming_text
from addons.redacting_tracker_store import RedactingSQLTrackerStore
from addons.redaction import CARD_MASK, POSTCODE_MASK
from privacy.masking import fold, mask
from tests import privacy_strategies as secret
from tests.addons.test_backend_event_broker import FakeBackend, broker_for, free_port, until

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"
STORE_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class CollectingBroker(EventBroker):
    """Keeps what the tracker store streams."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.events.append(event)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN))


@pytest.fixture
def store(tmp_path: Path, domain: Domain) -> tuple[RedactingSQLTrackerStore, Path]:
    path = tmp_path / "conversations.db"
    return RedactingSQLTrackerStore(domain, db=str(path), event_broker=CollectingBroker()), path


def digits(text: str) -> str:
    return re.sub(r"\D", "", fold(text))


def user(text: str, entities: list[dict[str, Any]] | None = None) -> UserUttered:
    parse_data = {
        "text": text,
        "intent": {"name": "ask_balance", "confidence": 0.9},
        "entities": entities or [],
    }
    return UserUttered(text, parse_data["intent"], entities or [], parse_data)


def stored_user_events(path: Path, sender: str) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


def save(store: RedactingSQLTrackerStore, texts: list[str]) -> str:
    sender = uuid.uuid4().hex
    events = [ActionExecuted("action_listen"), *(user(text) for text in texts)]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    return sender


@STORE_SETTINGS
@given(st.lists(secret.sentences_with(secret.secrets()), min_size=1, max_size=3))
def test_no_secret_is_stored_or_streamed(
    store: tuple[RedactingSQLTrackerStore, Path], cases: list[tuple[str, str]]
) -> None:
    tracker_store, path = store
    sender = save(tracker_store, [text for text, _ in cases])
    stored = stored_user_events(path, sender)
    assert len(stored) == len(cases)
    for event in stored:  # the sentences' words have no digits: any digit left is a leak
        assert digits(event["text"]) == ""
        assert digits(event["parse_data"]["text"]) == ""
    streamed = [e for e in tracker_store.event_broker.events if e["sender_id"] == sender]
    assert [digits(e["text"]) for e in streamed if e["event"] == "user"] == [""] * len(cases)


def test_reported_first_message_is_stored_without_its_postcode(
    store: tuple[RedactingSQLTrackerStore, Path],
) -> None:
    tracker_store, path = store
    sender = save(tracker_store, ["my account is 990700 and my postcode is 7071"])
    (event,) = stored_user_events(path, sender)
    assert event["text"] == f"my account is 990700 and my {POSTCODE_MASK}"


def test_words_nlu_read_as_a_postcode_are_masked_without_a_label(
    store: tuple[RedactingSQLTrackerStore, Path],
) -> None:
    tracker_store, path = store
    sender = uuid.uuid4().hex
    entity = {"entity": "postcode", "value": "7071", "start": 7, "end": 11}
    events = [ActionExecuted("action_listen"), user("990700 7071", [entity])]
    asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender, events)))
    (event,) = stored_user_events(path, sender)
    assert event["text"] == f"990700 {POSTCODE_MASK}"
    assert event["parse_data"]["entities"][0]["value"] == "[removed]"


@given(secret.sentences_with(secret.typed_card_numbers()))
def test_the_channel_masks_card_numbers_before_nlu(case: tuple[str, str]) -> None:
    text, _ = case
    assert digits(clean_incoming_text(text)) == ""
    assert CARD_MASK in clean_incoming_text(text)


@given(secret.sentences_with(secret.security_codes()))
def test_the_channel_masks_security_codes_before_nlu(case: tuple[str, str]) -> None:
    assert digits(clean_incoming_text(case[0])) == ""


def test_the_channel_keeps_what_verification_reads() -> None:
    text = "my account is 990700, born 14.03.1985, postcode 7071"
    assert clean_incoming_text(text) == text


@given(
    st.dates(min_value=date(1920, 1, 1), max_value=date(2010, 12, 31)),
    st.integers(0, secret.DATE_STYLES - 1),
)
def test_every_date_the_verification_reads_is_masked(value: date, style: int) -> None:
    written = f"born {secret.format_date(value, style)} ok"
    today = date(2026, 11, 15)
    assert parse_date(mask(written), today=today) is None
    if parse_date(written, today=today) is not None:
        assert mask(written) != written


async def test_the_event_broker_posts_no_secret_even_from_an_unredacted_store() -> None:
    backend = FakeBackend(free_port())
    await backend.start()
    try:
        broker = await broker_for(backend.port)
        texts = ["card 4628.1948.2199.3511", "my cvv is: 733", "born 14-Jul-1961"]
        texts += ["my account is 990700 and my postcode is 7071"]
        for number, text in enumerate(texts):
            broker.publish({"sender_id": "c1", "event": "user", "text": text, "timestamp": number})
        broker.publish(
            {"sender_id": "c1", "event": "bot", "text": "4628 1948 2199 3511", "timestamp": 9}
        )
        await until(lambda: len(backend.texts) == len(texts) + 1)
        await broker.close()
    finally:
        await backend.stop()
    assert [digits(text) for text in backend.texts] == ["", "", "", "990700", ""]
