"""Rasa responses in the conversation's language, from the shared message catalogue.

Configured in endpoints.yml (`nlg: type: addons.catalogue_nlg.CatalogueNaturalLanguageGenerator`).
Rasa asks the NLG for every `utter_*` response it sends. This generator picks the response from
domain.yml as Rasa's own templated generator does (channel and conditions, buttons, images) and
then takes its text from the `bot` catalogue (i18n/locales/<lang>/LC_MESSAGES/bot.po, key = the
response's name) in the language of the tracker's `language` slot, English when it is unset. A
response the catalogue does not know keeps domain.yml's text; tests/addons/test_catalogue_nlg.py
fails when a domain response is missing from the catalogue or its English text differs.

Why a generator rather than one conditional variation per language in domain.yml: the actions'
texts already live in the catalogue, so every text of the bot is in one format, with one check
for missing keys and placeholders, and a third language is a new .po file, not a second copy of
every response.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from i18n import DEFAULT_LANGUAGE, Language, normalise_language, translator

DOMAIN = "bot"
LANGUAGE_SLOT = "language"
# The key naming a bot message's language (Rasa keeps it in the BotUttered event's metadata and
# hands it to the output channel with the message).
MESSAGE_LANGUAGE = "language"
GREET = "utter_greet"
# The greeting once the bot has introduced itself in this session (the website widget greets when
# it opens, and "hi" is what many customers type first): a short "hi again", not the whole
# introduction twice.
GREET_AGAIN = "utter_greet_again"


def tracker_language(tracker: DialogueStateTracker) -> Language:
    return normalise_language(tracker.get_slot(LANGUAGE_SLOT)) or DEFAULT_LANGUAGE


class CatalogueNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if response is None:
            return None
        key = catalogue_key(utter_action, tracker)
        return localised(response, key, tracker_language(tracker), kwargs)


def catalogue_key(utter_action: str, tracker: DialogueStateTracker) -> str:
    """The catalogue entry for `utter_action`: the response's own, except a second greeting in
    the same session (since the last session start or restart)."""
    if utter_action == GREET and any(
        isinstance(event, ActionExecuted) and event.action_name == GREET
        for event in tracker.applied_events()
    ):
        return GREET_AGAIN
    return utter_action


def localised(
    response: dict[str, Any], key: str, language: Language, values: dict[str, Any]
) -> dict[str, Any]:
    """The response with its text from the catalogue in `language`, if the catalogue has it, and
    its `language` named (the messaging channels word their own labels by it)."""
    messages = translator(DOMAIN, language)
    if messages.has(key) or translator(DOMAIN, DEFAULT_LANGUAGE).has(key):
        response["text"] = messages.text(key, **values)
    response[MESSAGE_LANGUAGE] = language
    return response
