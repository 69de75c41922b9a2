from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.verification import (
    ActionAskIdentityCheck,
    ActionAskInvoiceAmountCheck,
    ValidateVerificationForm,
)
from tests.actions.conftest import make_tracker
from tests.actions.english import CARD_NUMBER_HIDDEN
from tests.actions.fake_backend import FakeBackend

DOMAIN: dict[str, Any] = {
    "forms": {
        "verification_form": {
            "required_slots": ["account_number", "identity_check", "invoice_amount_check"]
        }
    }
}


class FixedDay(ValidateVerificationForm):
    def today(self) -> date:
        return date(2026, 11, 27)


def asking_identity(text: str, intent: str = "provide_verification_info", **kwargs: Any):
    return make_tracker(
        text=text,
        intent=intent,
        slots={"requested_slot": "identity_check", "account_number": "100001"},
        **kwargs,
    )


async def run_form(
    backend: FakeBackend, tracker
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await FixedDay(backend.client()).run(dispatcher, tracker, DOMAIN)
    return events, dispatcher.messages


async def test_a_correct_date_of_birth_verifies_and_sets_the_outcome_slots() -> None:
    backend = FakeBackend()
    events, messages = await run_form(backend, asking_identity("March 14th 85"))
    assert SlotSet("identity_check", "passed") in events
    assert SlotSet("verified", True) in events
    assert SlotSet("verified_account_number", "100001") in events
    assert SlotSet("customer_first_name", "Ana") in events
    assert messages == []
    body = json.loads(backend.requests[0].content)
    assert body == {
        "conversation_id": "conv-1",
        "account_number": "100001",
        "date_of_birth": "1985-03-14",
    }


async def test_the_date_of_birth_is_never_put_in_a_slot() -> None:
    events, _ = await run_form(FakeBackend(), asking_identity("14.3.1985"))
    assert all("1985" not in str(event.get("value")) for event in events)


async def test_a_postcode_is_held_and_the_invoice_amount_asked_for() -> None:
    backend = FakeBackend()
    events, messages = await run_form(backend, asking_identity("1000", "provide_account_number"))
    assert events == [
        SlotSet("identity_check", "postcode_held"),
        SlotSet("requested_slot", "invoice_amount_check"),
    ]
    assert messages == []  # the form asks for the amount (utter_ask_invoice_amount_check)
    [sent] = backend.sent()
    assert (sent.method, sent.path) == ("PUT", "/api/v1/verifications/conv-1/postcode")
    assert sent.body == {"account_number": "100001", "postcode": "1000"}


async def test_a_right_and_a_wrong_postcode_get_the_same_events() -> None:
    right, _ = await run_form(FakeBackend(), asking_identity("1000"))
    wrong, _ = await run_form(FakeBackend(verification_status="failed"), asking_identity("9999"))
    assert right == wrong


def asking_amount(text: str, intent: str = "provide_verification_info", **kwargs: Any):
    return make_tracker(
        text=text,
        intent=intent,
        slots={
            "requested_slot": "invoice_amount_check",
            "account_number": "100001",
            "identity_check": "postcode_held",
        },
        **kwargs,
    )


async def test_the_invoice_amount_verifies_with_the_held_postcode() -> None:
    backend = FakeBackend()
    events, messages = await run_form(backend, asking_amount("€54,17", intent="dispute_charge"))
    assert SlotSet("identity_check", "passed") in events
    assert SlotSet("verified", True) in events
    assert SlotSet("customer_first_name", "Ana") in events
    assert SlotSet("requested_slot", None) in events
    assert all("54" not in str(event.get("value")) for event in events)
    assert messages == []
    [sent] = backend.sent()
    assert (sent.method, sent.path) == ("POST", "/api/v1/verifications")
    assert sent.body == {
        "conversation_id": "conv-1",
        "account_number": "100001",
        "invoice_amount": "54.17",
    }


async def test_the_client_address_goes_with_the_check_when_the_channel_passed_it() -> None:
    backend = FakeBackend()
    tracker = asking_amount("54.17")
    tracker.latest_message["metadata"] = {"client_address": "203.0.113.7"}
    await run_form(backend, tracker)
    assert backend.sent()[0].body["client_address"] == "203.0.113.7"


async def test_a_wrong_amount_or_postcode_fails_once_and_asks_for_the_factor_again() -> None:
    backend = FakeBackend(verification_status="failed", attempts_left=2)
    events, messages = await run_form(backend, asking_amount("54.18"))
    assert SlotSet("identity_check", None) in events
    assert SlotSet("requested_slot", "identity_check") in events
    assert [m["text"] for m in messages] == [
        "Sorry, that doesn't match our records. You have 2 attempts left."
    ]
    assert len(backend.requests) == 1


async def test_a_locked_answer_to_the_amount_ends_the_check_as_locked() -> None:
    backend = FakeBackend(verification_status="locked", attempts_left=0)
    events, _ = await run_form(backend, asking_amount("54.17"))
    assert SlotSet("identity_check", "locked") in events
    assert SlotSet("requested_slot", None) in events


async def test_no_amount_in_the_answer_gets_a_hint_and_no_back_end_call() -> None:
    backend = FakeBackend()
    events, messages = await run_form(backend, asking_amount("i don't know it"))
    assert SlotSet("invoice_amount_check", None) in events
    assert messages[0]["text"].startswith("Please give the total of your latest invoice")
    assert backend.requests == []


async def test_a_date_of_birth_given_instead_of_the_amount_is_checked() -> None:
    backend = FakeBackend()
    events, _ = await run_form(backend, asking_amount("14.3.1985"))
    assert SlotSet("identity_check", "passed") in events
    assert backend.sent()[0].body["date_of_birth"] == "1985-03-14"


async def test_a_question_while_the_amount_is_asked_is_left_to_the_dialogue() -> None:
    backend = FakeBackend()
    events, messages = await run_form(
        backend,
        asking_amount("why is my latest bill 54.17 and not 36.48", "bill_higher_than_usual"),
    )
    assert all(event.get("name") != "identity_check" for event in events)
    assert backend.requests == []
    assert messages == []


@pytest.mark.parametrize("tracker", [asking_identity("1000"), asking_amount("54.17")])
async def test_back_end_down_while_holding_or_checking_ends_the_check_as_unavailable(
    tracker: Any,
) -> None:
    events, _ = await run_form(FakeBackend(down=True), tracker)
    assert SlotSet("identity_check", "unavailable") in events
    assert SlotSet("requested_slot", None) in events


async def test_a_check_abandoned_after_the_postcode_starts_again_from_the_factor() -> None:
    tracker = make_tracker(
        text="what's my balance",
        intent="ask_balance",
        slots={"account_number": "100001", "identity_check": "postcode_held"},
    )
    events, _ = await run_form(FakeBackend(), tracker)
    assert events[0] == SlotSet("identity_check", None)
    assert SlotSet("requested_slot", "identity_check") in events


async def test_a_wrong_factor_says_how_many_attempts_are_left_and_asks_again() -> None:
    backend = FakeBackend(verification_status="failed", attempts_left=2)
    events, messages = await run_form(backend, asking_identity("1.1.1990"))
    assert SlotSet("identity_check", None) in events
    assert all(event.get("name") != "verified" for event in events)
    assert [m["text"] for m in messages] == [
        "Sorry, that doesn't match our records. You have 2 attempts left."
    ]


async def test_the_third_failure_locks() -> None:
    backend = FakeBackend(verification_status="locked", attempts_left=0)
    events, messages = await run_form(backend, asking_identity("1.1.1990"))
    assert SlotSet("identity_check", "locked") in events
    assert messages == []  # action_answer_pending_request explains the lock


async def test_back_end_down_during_the_check_ends_it_as_unavailable() -> None:
    events, _ = await run_form(FakeBackend(down=True), asking_identity("14.3.1985"))
    assert SlotSet("identity_check", "unavailable") in events


async def test_a_message_without_a_factor_gets_a_hint_and_no_back_end_call() -> None:
    backend = FakeBackend()
    events, messages = await run_form(backend, asking_identity("my birthday is in march"))
    assert SlotSet("identity_check", None) in events
    assert "full date of birth" in messages[0]["text"]
    assert backend.requests == []


async def test_a_different_question_during_the_check_is_left_to_the_dialogue() -> None:
    backend = FakeBackend()
    events, messages = await run_form(
        backend, asking_identity("why is my bill 1000 euros higher", "bill_higher_than_usual")
    )
    assert all(event.get("name") != "identity_check" for event in events)
    assert backend.requests == []
    assert messages == []


async def test_an_account_number_is_read_from_the_text() -> None:
    tracker = make_tracker(
        text="it's 100004 i think",
        intent="provide_account_number",
        slots={"requested_slot": "account_number"},
    )
    events, _ = await run_form(FakeBackend(), tracker)
    assert SlotSet("account_number", "100004") in events


async def test_a_short_account_number_gets_a_hint() -> None:
    tracker = make_tracker(
        text="10001", intent="provide_account_number", slots={"requested_slot": "account_number"}
    )
    events, messages = await run_form(FakeBackend(), tracker)
    assert SlotSet("account_number", None) in events
    assert "6 digits" in messages[0]["text"]


async def test_ask_identity_check_asks_for_date_of_birth_or_postcode() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskIdentityCheck().run(dispatcher, make_tracker(), {})
    assert "date of birth or the postcode" in dispatcher.messages[0]["text"]


async def test_a_card_number_typed_during_the_check_is_pointed_out() -> None:
    tracker = make_tracker(
        text="[card number removed]",
        intent="provide_account_number",
        slots={"requested_slot": "account_number"},
    )
    events, messages = await run_form(FakeBackend(), tracker)
    assert messages[0]["text"] == CARD_NUMBER_HIDDEN
    assert SlotSet("account_number", None) in events


async def test_ask_invoice_amount_asks_for_the_latest_invoice_total() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskInvoiceAmountCheck().run(dispatcher, make_tracker(), {})
    assert "total of your latest invoice" in dispatcher.messages[0]["text"]
