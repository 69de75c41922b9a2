"""The language slot's mapping action is skipped only when it would have changed nothing: on
generated conversations, whenever the add-on says "settled", actions/language.py's action (run
on the tracker exactly as Rasa sends it) returns no event; and extraction calls the action
server when the language is open, asked for or switched by the page, and not otherwise."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionChooseLanguage
from addons import settled_language
from addons.settled_language import language_settled

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "ask_balance", "change_language", "provide_account_number"],
        "entities": ["language"],
        "slots": {
            "language": {
                "type": "categorical",
                "values": ["en", "sl"],
                "influence_conversation": False,
                "mappings": [
                    {
                        "type": "custom",
                        "action": "action_choose_language",
                        "not_intent": ["provide_account_number"],
                    }
                ],
            }
        },
        "actions": ["action_choose_language"],
    }
)

TEXTS = ("what's my balance?", "koliko moram plačati?", "hello", "100001", "English please")
INTENTS = ("greet", "ask_balance", "change_language")
PAGES = (None, "en", "sl", "/sl/", "de")
SLOTS = (None, "en", "sl")


def message(text: str, intent: str, page: str | None, language: str | None = None) -> UserUttered:
    entities = [{"entity": "language", "value": language}] if language else []
    metadata = {"page": page} if page else {}
    return UserUttered(
        text,
        {"name": intent, "confidence": 0.9},
        entities,
        {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities},
        metadata=metadata,
    )


def conversation(turns: list[UserUttered], slot: str | None) -> DialogueStateTracker:
    """The customer's messages, the last one latest, with the slot set before them."""
    events: list[Any] = [ActionExecuted("action_listen")]
    if slot is not None:
        events.append(SlotSet("language", slot))
    for turn in turns:
        events += [ActionExecuted("action_listen"), turn]
    return DialogueStateTracker.from_events("conv-1", events, DOMAIN.slots)


def as_the_action_server_sees_it(tracker: DialogueStateTracker) -> Tracker:
    return Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))


turn = st.builds(
    message,
    st.sampled_from(TEXTS),
    st.sampled_from(INTENTS),
    st.sampled_from(PAGES),
    st.sampled_from((None, "sl", "en", "slovenščina")),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns=st.lists(turn, min_size=1, max_size=4), slot=st.sampled_from(SLOTS))
def test_settled_means_the_action_would_return_nothing(
    turns: list[UserUttered], slot: str | None
) -> None:
    tracker = conversation(turns, slot)
    if language_settled(tracker):
        sdk_tracker = as_the_action_server_sees_it(tracker)
        events = asyncio.run(ActionChooseLanguage().run(CollectingDispatcher(), sdk_tracker, {}))
        assert events == []


def test_open_asked_or_switched_is_never_settled() -> None:
    english = message("what's my balance?", "ask_balance", None)
    assert not language_settled(conversation([english], None))
    assert language_settled(conversation([english], "en"))
    asked = message("lahko po slovensko?", "change_language", None, "sl")
    assert not language_settled(conversation([english, asked], "en"))
    on_pages = [message("hi", "greet", "sl"), message("hello", "greet", "en")]
    assert not language_settled(conversation(on_pages, "sl"))
    same_page = [message("hi", "greet", "sl"), message("zdravo", "greet", "/sl/")]
    assert language_settled(conversation(same_page, "sl"))


@pytest.fixture
def action_server_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """RemoteAction.run recorded instead of sent; the add-on installed for the test."""
    calls: list[str] = []

    async def run(self: RemoteAction, *_args: Any) -> list[Any]:
        calls.append(self.name())
        return [SlotSet("language", "en")]

    monkeypatch.setattr(RemoteAction, "run", run)
    settled_language.install()
    yield calls
    settled_language.uninstall()


async def extract(tracker: DialogueStateTracker) -> list[Any]:
    return await ActionExtractSlots(None).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN
    )


async def test_extraction_calls_the_action_only_while_the_language_can_change(
    action_server_calls: list[str],
) -> None:
    english = message("what's my balance?", "ask_balance", None)
    assert await extract(conversation([english], None)) == [SlotSet("language", "en")]
    assert action_server_calls == ["action_choose_language"]
    assert await extract(conversation([english, english], "en")) == []
    assert action_server_calls == ["action_choose_language"]
    asked = message("English please", "change_language", None, "en")
    await extract(conversation([english, asked], "sl"))
    switched = [message("hi", "greet", "sl"), message("hello", "greet", "en")]
    await extract(conversation(switched, "sl"))
    assert action_server_calls == ["action_choose_language"] * 3
