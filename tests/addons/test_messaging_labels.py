"""The words a messaging output adds of its own (WhatsApp's list button, the hint under numbered
choices) follow the language each bot message names, from the bot catalogue; and the bot's
messages do name it: the catalogue NLG's responses and every action's messages."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import GuardedAction
from addons.catalogue_nlg import localised
from addons.messaging.output import labels_for
from addons.messaging.rendering import ENGLISH_LABELS


@pytest.mark.parametrize(
    ("message", "choose", "hint"),
    [
        ({"text": "x", "language": "sl"}, "Izberite", "Odgovorite s številko svoje izbire."),
        ({"text": "x", "language": "en"}, "Choose", "Reply with the number of your choice."),
        ({"text": "x"}, "Choose", "Reply with the number of your choice."),
        ({"text": "x", "language": "../../etc"}, "Choose", "Reply with the number of your choice."),
        (
            {"text": "x", "language": "s" * 10_000},
            "Choose",
            "Reply with the number of your choice.",
        ),
        ({"text": "x", "language": ["sl"]}, "Choose", "Reply with the number of your choice."),
    ],
)
def test_labels_follow_the_message_s_language(
    message: dict[str, Any], choose: str, hint: str
) -> None:
    labels = labels_for(message)
    assert (labels.choose, labels.numbered_hint) == (choose, hint)
    assert len(labels.choose) <= 20


def test_english_labels_are_the_catalogue_s() -> None:
    assert labels_for({}) == ENGLISH_LABELS


def test_catalogue_responses_name_their_language() -> None:
    response = localised({"text": "Hello"}, "utter_greet", "sl", {})
    assert response["language"] == "sl"


class _Says(GuardedAction):
    def name(self) -> str:
        return "action_test_says"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[Any]:
        dispatcher.utter_message(text="one")
        dispatcher.utter_message(text="two", buttons=[{"title": "Yes", "payload": "/affirm"}])
        return []


async def test_every_action_message_names_the_conversation_s_language() -> None:
    dispatcher = CollectingDispatcher()
    tracker = Tracker.from_dict(
        {"sender_id": "c", "slots": {"language": "sl"}, "latest_message": {}, "events": []}
    )
    await _Says().run(dispatcher, tracker, {})
    assert [m["language"] for m in dispatcher.messages] == ["sl", "sl"]
