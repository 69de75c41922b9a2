"""The account intents are listed once (actions/intents.py); domain.yml, the rules in data/rules
and the tables of actions/ are held to that list here, so no copy drifts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.intents import ACCOUNT_INTENT_NAMES, ACCOUNT_INTENTS
from actions.pending_request import ACTION_FOR_INTENT
from actions.transcript import INTENT_PHRASES, conversation_summary
from tests.actions.conftest import make_tracker

ROOT = Path(__file__).resolve().parents[2]
ANSWERING_ACTIONS = {intent.action for intent in ACCOUNT_INTENTS}


def _domain() -> dict[str, Any]:
    domain: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain


def _rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in sorted((ROOT / "data" / "rules").glob("*.yml"))
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", [])
    ]


def _intents_of(step: dict[str, Any]) -> set[str]:
    """The intents a rule step accepts: `intent: x`, or each `intent:` of an `or:`."""
    if "intent" in step:
        return {step["intent"]}
    return {choice["intent"] for choice in step.get("or", []) if "intent" in choice}


def _intent_steps(rule: dict[str, Any]) -> list[tuple[set[str], str | None]]:
    """Each step of `rule` that accepts intents, with the action right after it."""
    steps = rule["steps"]
    return [
        (_intents_of(step), steps[index + 1].get("action") if index + 1 < len(steps) else None)
        for index, step in enumerate(steps)
        if _intents_of(step)
    ]


def _for_verified(rule: dict[str, Any]) -> bool:
    return any(
        slot.get("verified") is True
        for condition in rule.get("condition", [])
        for slot in condition.get("slot_was_set", [])
    )


def test_the_list_has_no_repeats_and_every_intent_has_a_phrase() -> None:
    assert len(ACCOUNT_INTENT_NAMES) == len(ACCOUNT_INTENTS)
    assert all(intent.phrase.strip() for intent in ACCOUNT_INTENTS)
    assert len({intent.phrase for intent in ACCOUNT_INTENTS}) == len(ACCOUNT_INTENTS)


def test_every_account_intent_and_its_action_are_in_the_domain() -> None:
    domain = _domain()
    assert set(domain["intents"]) >= ACCOUNT_INTENT_NAMES
    assert set(domain["actions"]) >= ANSWERING_ACTIONS


def test_each_account_intent_has_its_rule_for_a_verified_customer() -> None:
    answered = {
        (intent, action)
        for rule in _rules()
        if _for_verified(rule)
        for intents, action in _intent_steps(rule)
        for intent in intents
    }
    missing = [i.name for i in ACCOUNT_INTENTS if (i.name, i.action) not in answered]
    assert missing == []


def test_rules_that_treat_account_questions_alike_list_every_one() -> None:
    # A rule step that routes account intents to anything but their own answer (the identity
    # check, "verify first", "finish the code first") must hold all of them: one left out is
    # a question that slips past verification or past the one-time code.
    generic = []
    for rule in _rules():
        for intents, action in _intent_steps(rule):
            listed = intents & ACCOUNT_INTENT_NAMES
            if not listed:
                continue
            own = {i.action for i in ACCOUNT_INTENTS if i.name in listed}
            if own == {action}:
                continue  # the answer itself, as test_each_account_intent_has_its_rule checks
            generic.append(rule["rule"])
            assert listed == ACCOUNT_INTENT_NAMES, f"{rule['rule']!r} lacks some account intents"
    # Before the identity check, during it, during the one-time code: the list is read at all.
    assert len(generic) >= 3, generic


def test_the_pending_request_answers_every_account_intent() -> None:
    assert set(ACTION_FOR_INTENT) == ACCOUNT_INTENT_NAMES
    for intent in ACCOUNT_INTENTS:
        assert ACTION_FOR_INTENT[intent.name]().name() == intent.action


def test_every_account_intent_has_a_phrase_in_the_handoff_summary() -> None:
    assert set(INTENT_PHRASES) >= ACCOUNT_INTENT_NAMES


@pytest.mark.parametrize("intent", ACCOUNT_INTENTS, ids=lambda intent: intent.name)
def test_the_summary_names_what_was_asked(intent: Any) -> None:
    message = {"intent": {"name": intent.name, "confidence": 0.9}, "entities": []}
    events = [
        {"event": "user", "text": "…", "parse_data": message},
        {"event": "user", "text": "…", "parse_data": {"intent": {"name": "talk_to_human"}}},
    ]
    tracker = make_tracker(events=events, slots={"verified": True})
    assert conversation_summary(tracker, "customer_request") == (
        f"Customer asked for a person. Asked about {intent.phrase}. Verified."
    )
