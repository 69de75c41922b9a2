"""The conversation's language: the `language` slot, and where its value comes from.

`action_choose_language` is the slot's custom mapping action, so Rasa runs it after every
customer message (inside action_extract_slots, before the next action is chosen). In order:

1. the customer asked for a language (intent `change_language`, entity `language`), or followed
   the website's language link (the widget's customData `page` differs from their previous
   message's: from `/sl/` to `/` means English);
2. the slot is set already: it stays;
3. the website said which page the customer is on (the widget's customData `language`);
4. the channel knows the user's language (message metadata `locale`, e.g. "sl" or "en-US");
5. the customer's messages so far are clearly English or Slovenian (actions/language_detection.py).

When none of these says anything, the slot stays empty and everything reads English.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.base import DomainDict, GuardedAction
from actions.language_detection import detect_language
from i18n import DEFAULT_LANGUAGE, Language, normalise_language

logger = logging.getLogger(__name__)

CHANGE_LANGUAGE = "change_language"
_DETECTED_MESSAGES = 5  # the latest customer messages of the session read together


def requested_language(tracker: Tracker) -> Language | None:
    """The language the customer asked for in the latest message, if that is what they did;
    "another language" without naming one means the other of our two."""
    message = tracker.latest_message or {}
    if (message.get("intent") or {}).get("name") != CHANGE_LANGUAGE:
        return None
    for entity in message.get("entities") or []:
        if entity.get("entity") == names.LANGUAGE:
            language = normalise_language(entity.get("value"))
            if language:
                return language
    current = normalise_language(tracker.get_slot(names.LANGUAGE)) or DEFAULT_LANGUAGE
    return "en" if current == "sl" else "sl"


def language_from_metadata(metadata: Any) -> Language | None:
    """The website's page language (customData `language`) or the channel's user `locale`."""
    if not isinstance(metadata, dict):
        return None
    return normalise_language(metadata.get("language")) or normalise_language(
        metadata.get("locale")
    )


def _page(metadata: Any) -> Language | None:
    return normalise_language(metadata.get("page")) if isinstance(metadata, dict) else None


def page_switch(tracker: Tracker) -> Language | None:
    """The language of the website page the customer moved to since their previous message (the
    pages link to each other; the conversation goes on across them), None when they did not."""
    pages = [
        _page(event.get("metadata"))
        for event in reversed(tracker.events)
        if event.get("event") == "user"
    ][:2]
    if len(pages) < 2 or None in pages or pages[0] == pages[1]:
        return None
    return pages[0]


def customer_texts(tracker: Tracker) -> str:
    """The latest customer messages of this session, typed ones only (not "/intent" payloads)."""
    texts: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") == "user":
            text = str(event.get("text") or "")
            if text and not text.startswith("/"):
                texts.append(text)
        if len(texts) >= _DETECTED_MESSAGES:
            break
    return "\n".join(reversed(texts))


def choose_language(tracker: Tracker) -> tuple[Language | None, str]:
    """The language the conversation should now have, and where it came from."""
    asked = requested_language(tracker)
    if asked:
        return asked, "request"
    moved = page_switch(tracker)
    if moved:
        return moved, "page"
    current = normalise_language(tracker.get_slot(names.LANGUAGE))
    if current:
        return current, "slot"
    metadata = (tracker.latest_message or {}).get("metadata")
    given = language_from_metadata(metadata)
    if given:
        return given, "metadata"
    return detect_language(customer_texts(tracker)), "detected"


class ActionChooseLanguage(GuardedAction):
    def name(self) -> str:
        return "action_choose_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language, source = choose_language(tracker)
        if language is None or language == tracker.get_slot(names.LANGUAGE):
            return []
        logger.info(
            "language.chosen",
            extra={"conversation_id": tracker.sender_id, "language": language, "source": source},
        )
        return [SlotSet(names.LANGUAGE, language)]
