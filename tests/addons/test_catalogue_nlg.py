"""Rasa's responses come from the catalogue in the tracker's language (addons/catalogue_nlg.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from addons.catalogue_nlg import CatalogueNaturalLanguageGenerator
from i18n import translator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def tracker(domain: Domain, language: str | None) -> DialogueStateTracker:
    state = DialogueStateTracker("conv-1", domain.slots)
    if language is not None:
        state.update(SlotSet("language", language))
    return state


def test_every_domain_response_is_in_the_catalogue_with_the_same_english(domain: Domain) -> None:
    english = translator("bot", "en")
    for name, variations in domain.responses.items():
        assert english.has(name), f"{name} is missing from the bot catalogue"
        for variation in variations:
            assert variation.get("text") == english.text(name), name


def test_endpoints_yml_configures_the_catalogue_generator(
    domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("ACTION_ENDPOINT_URL", "ACTION_SERVER_TOKEN", "TRACKER_DB_URL", "BACKEND_URL",
                     "BACKEND_SERVICE_TOKEN"):  # fmt: skip
        monkeypatch.setenv(variable, "x")
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "nlg")
    assert isinstance(
        NaturalLanguageGenerator.create(config, domain), CatalogueNaturalLanguageGenerator
    )


async def test_a_response_in_slovenian_english_and_unset(domain: Domain) -> None:
    nlg = CatalogueNaturalLanguageGenerator(domain=domain)
    sl = await nlg.generate("utter_goodbye", tracker(domain, "sl"), "rest")
    en = await nlg.generate("utter_goodbye", tracker(domain, "en"), "rest")
    unset = await nlg.generate("utter_goodbye", tracker(domain, None), "rest")
    assert sl is not None
    assert sl["text"] == "Nasvidenje in hvala, ker ste se obrnili na nas."
    assert en == unset
    assert en is not None
    assert en["text"] == "Goodbye, and thanks for getting in touch."


async def test_an_unknown_response_is_none_as_with_rasa(domain: Domain) -> None:
    nlg = CatalogueNaturalLanguageGenerator(domain=domain)
    assert await nlg.generate("utter_nothing_like_this", tracker(domain, "sl"), "rest") is None


@pytest.mark.parametrize(
    ("language", "first_words", "again"),
    [
        ("en", "Hi, I'm the billing assistant.", "Hi again. What can I do for you?"),
        (
            "sl",
            "Pozdravljeni, sem asistent za obračun.",
            "Pozdravljeni še enkrat. Kako vam lahko pomagam?",
        ),
    ],
)
async def test_a_second_greeting_in_a_session_is_short_and_a_new_session_introduces_again(
    domain: Domain, language: str, first_words: str, again: str
) -> None:
    """The widget greets when it opens; a customer's "hi" then gets "hi again", not the whole
    introduction twice. A new session (or a restart) introduces the bot again."""
    nlg = CatalogueNaturalLanguageGenerator(domain=domain)
    state = tracker(domain, language)
    first = await nlg.generate("utter_greet", state, "socketio")
    assert first is not None
    assert first["text"].startswith(first_words)
    state.update(ActionExecuted("utter_greet"))
    state.update(UserUttered("hi", {"name": "greet", "confidence": 0.9}))
    second = await nlg.generate("utter_greet", state, "socketio")
    assert second is not None
    assert second["text"] == again
    for boundary in (SessionStarted(), Restarted()):
        state.update(boundary)
        state.update(SlotSet("language", language))  # Rasa's session start carries it over
        fresh = await nlg.generate("utter_greet", state, "socketio")
        assert fresh is not None
        assert fresh["text"].startswith(first_words)
        state.update(ActionExecuted("utter_greet"))
