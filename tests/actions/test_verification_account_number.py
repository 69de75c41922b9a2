"""A 6-digit number typed while the form asks for something else keeps the account number given.

Rasa's entity mapping fills `account_number` whenever the form is active; the validation action
puts the number given for the account-number question back (found in a real conversation,
tests/e2e/test_understanding.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from tests.actions.conftest import make_tracker
from tests.actions.fake_backend import FakeBackend
from tests.actions.test_verification import DOMAIN, FixedDay


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "x"}}}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def asked(requested: str, typed: str, before: list[dict[str, Any]]) -> Any:
    """The tracker the form sees after `typed`, which Rasa's mapping read as an account number."""
    return make_tracker(
        text=typed,
        intent="provide_account_number",
        slots={"requested_slot": requested, "account_number": typed},
        events=[*before, user(typed), slot("account_number", typed)],
    )


ANA_GIVEN = [
    user("what's my balance"),
    slot("requested_slot", "account_number"),
    user("100001"),
    slot("account_number", "100001"),
    slot("requested_slot", "identity_check"),
]


async def run(tracker: Any) -> tuple[list[dict[str, Any]], FakeBackend]:
    backend = FakeBackend()
    events = await FixedDay(backend.client()).run(CollectingDispatcher(), tracker, DOMAIN)
    return events, backend


async def test_an_account_number_typed_for_the_postcode_puts_the_first_one_back() -> None:
    events, backend = await run(asked("identity_check", "100002", ANA_GIVEN))
    assert SlotSet("account_number", "100001") in events
    assert SlotSet("account_number", "100002") not in events
    assert SlotSet("requested_slot", "identity_check") in events  # asked again
    assert backend.requests == []  # nothing checked


async def test_an_account_number_typed_for_the_amount_puts_the_first_one_back() -> None:
    before = [*ANA_GIVEN, user("1000"), slot("identity_check", "postcode_held")]
    tracker = asked("invoice_amount_check", "100002", before)
    tracker.slots["identity_check"] = "postcode_held"
    events, _ = await run(tracker)
    assert SlotSet("account_number", "100001") in events


async def test_the_account_number_question_still_takes_a_new_number() -> None:
    before = [user("what's my balance"), slot("requested_slot", "account_number")]
    events, _ = await run(asked("account_number", "100004", before))
    assert SlotSet("account_number", "100004") in events


async def test_a_number_given_with_the_first_question_stands() -> None:
    """At the form's activation nothing is asked yet: the number in the request is taken."""
    text = "my account is 100001, why is my bill so high"
    tracker = make_tracker(
        text=text,
        intent="bill_higher_than_usual",
        slots={"requested_slot": None, "account_number": "100001"},
        events=[user("hi"), user(text), slot("account_number", "100001")],
    )
    events, _ = await run(tracker)
    assert [e["value"] for e in events if e.get("name") == "account_number"] == ["100001"]
