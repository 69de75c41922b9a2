from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.answers import CustomerRequest
from actions.keys import idempotency_key
from actions.operations import ActionExecutePendingOperation
from actions.pending_request import ActionAnswerPendingRequest
from actions.preferences import ActionChangeBillingPreferences, requested_change
from actions.proposals import Operation
from tests.actions import fake_data
from tests.actions.conftest import (
    EVA_SLOTS,
    MARKO_SLOTS,
    SETTLED,
    VERIFIED_SLOTS,
    YES_NO,
    code_passed,
    expected_key,
    make_tracker,
    run_action,
)
from tests.actions.english import BACKEND_DOWN, OFFER_HUMAN_BUTTONS, STEP_UP_AGAIN
from tests.actions.fake_backend import FakeBackend

CODE_PASSED = code_passed("m***@example.com")
AUTOPAY_OFF = "Automatic payment by direct debit is off, so you pay each bill yourself."


def toggle(title: str, preference: str, switch: str) -> dict[str, str]:
    payload = f'/set_billing_preferences{{"preference": "{preference}", "switch": "{switch}"}}'
    return {"title": title, "payload": payload}


def asked(text: str, slots: dict[str, Any], message_id: str = "m-1", **entities: str) -> Any:
    found = [{"entity": name, "value": value} for name, value in entities.items()]
    tracker = make_tracker(text, "set_billing_preferences", found, slots)
    tracker.latest_message["message_id"] = message_id
    return tracker


def confirmed(operation: str, slots: dict[str, Any] = MARKO_SLOTS) -> Any:
    values = {**slots, **CODE_PASSED, "pending_operation": operation}
    return make_tracker("123456", "provide_account_number", slots=values)


def request(text: str, **entities: str) -> CustomerRequest:
    found = [{"entity": name, "value": value} for name, value in entities.items()]
    return CustomerRequest("set_billing_preferences", found, text)


# -- what the customer asked for --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        ("turn off autopay", {"preference": "autopay", "switch": "off"}, ("autopay", False)),
        ("sign me up for direct debit", {"preference": "autopay", "switch": "on"},
         ("autopay", True)),
        ("I want paper bills", {"preference": "paper_billing"}, ("e_billing", False)),
        ("no more paper invoices", {"preference": "paper_billing", "switch": "off"},
         ("e_billing", True)),
        ("go paperless", {"preference": "e_billing"}, ("e_billing", True)),
        # no entities from the NLU: the words decide
        ("please cancel my direct debit", {}, ("autopay", False)),
        ("send my bills by email please", {}, ("e_billing", None)),
        ("can I switch to e-billing", {}, ("e_billing", True)),
        ("my billing settings", {}, (None, None)),
        ("turn it off", {}, (None, False)),
        # a span no synonym mapped counts as no entity
        ("set up automatic payment for my bills", {"preference": "automatic", "switch": "on"},
         ("autopay", True)),
        ("I'd like automatic payments switched on", {"preference": "autopay",
                                                     "switch": "switched on"}, ("autopay", True)),
        ("switch my billing to paperless", {"switch": "switch"}, ("e_billing", True)),
    ],
)  # fmt: skip
def test_the_setting_and_the_switch_are_read_from_entities_then_words(
    text: str, entities: dict[str, str], expected: tuple[str | None, bool | None]
) -> None:
    assert requested_change(request(text, **entities)) == expected


# -- saying and proposing ---------------------------------------------------------------------


async def test_ana_hears_her_settings_with_a_button_to_change_each(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionChangeBillingPreferences(backend.client()),
        asked("what are my billing preferences", VERIFIED_SLOTS),
    )
    assert said == [
        (
            f"{AUTOPAY_OFF} Your invoices come by e-mail.",
            [
                toggle("Turn automatic payment on", "autopay", "on"),
                toggle("Switch to paper invoices", "e_billing", "off"),
            ],
        )
    ]
    assert events == []
    assert [(s.method, s.route) for s in backend.sent()] == [("GET", "/billing-preferences")]


async def test_a_question_about_one_setting_is_answered_not_proposed(backend: FakeBackend) -> None:
    tracker = asked("is my direct debit on?", MARKO_SLOTS, preference="autopay", switch="on")
    events, said = await run_action(ActionChangeBillingPreferences(backend.client()), tracker)
    assert said == [
        (
            "Automatic payment by direct debit is on.",
            [toggle("Turn automatic payment off", "autopay", "off")],
        )
    ]
    assert events == []


async def test_marko_turning_autopay_off_is_proposed_for_a_yes(backend: FakeBackend) -> None:
    tracker = asked("turn off my direct debit", MARKO_SLOTS, preference="autopay", switch="off")
    events, said = await run_action(ActionChangeBillingPreferences(backend.client()), tracker)
    assert said == [
        (
            "Shall I turn off automatic payment by direct debit, so you pay each bill yourself?"
            " Nothing else changes.",
            YES_NO,
        )
    ]
    nonce = idempotency_key(tracker, "preferences")[:12]
    assert events == [
        SlotSet("pending_operation", f"preferences|autopay=off,e_billing=on|{nonce}"),
        SlotSet("awaiting_confirmation", True),
    ]
    assert backend.writes() == []


async def test_eva_asking_for_e_mail_invoices_by_button_is_proposed(backend: FakeBackend) -> None:
    payload = '/set_billing_preferences{"preference": "e_billing", "switch": "on"}'
    tracker = asked(payload, EVA_SLOTS, preference="e_billing", switch="on")
    events, said = await run_action(ActionChangeBillingPreferences(backend.client()), tracker)
    assert said == [
        ("Shall I send your invoices by e-mail instead of on paper? Nothing else changes.", YES_NO)
    ]
    assert events[0].get("value").startswith("preferences|autopay=on,e_billing=on|")


async def test_a_setting_already_in_place_changes_nothing(backend: FakeBackend) -> None:
    tracker = asked("switch off direct debit", VERIFIED_SLOTS, preference="autopay", switch="off")
    events, said = await run_action(ActionChangeBillingPreferences(backend.client()), tracker)
    assert said == [(f"{AUTOPAY_OFF} Nothing to change.", [])]
    assert events == []


async def test_asked_before_verification_it_is_answered_right_after(backend: FakeBackend) -> None:
    question = {
        "text": "I want paper invoices",
        "intent": {"name": "set_billing_preferences"},
        "entities": [{"entity": "preference", "value": "paper_billing"}],
    }
    events = [
        {"event": "user", "text": "I want paper invoices", "parse_data": question},
        {"event": "user", "text": "100002", "parse_data": {"intent": {"name": "inform"}}},
    ]
    tracker = make_tracker("2000", "provide_verification_info", slots=MARKO_SLOTS, events=events)
    answered, said = await run_action(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said == [
        ("Thanks Marko, you're verified.", []),
        (
            "Shall I send your invoices on paper, by post, instead of by e-mail? Nothing else"
            " changes.",
            YES_NO,
        ),
    ]
    assert answered[0].get("value").startswith("preferences|autopay=on,e_billing=off|")


# -- saving after the yes and the code --------------------------------------------------------


async def test_marko_s_autopay_is_turned_off_with_a_key_for_the_proposal() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, stepped_up={"conv-1"})
    operation = "preferences|autopay=off,e_billing=on|n1"
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), confirmed(operation)
    )
    assert said == [(f"Done. {AUTOPAY_OFF} Your invoices come by e-mail.", [])]
    assert events == SETTLED
    [sent] = backend.writes()
    assert (sent.method, sent.route, sent.body) == (
        "PUT",
        "/billing-preferences",
        {"autopay": False, "e_billing": True},
    )
    assert sent.key == expected_key("conv-1", operation)
    assert backend.preferences[fake_data.MARKO] == {"autopay": False, "e_billing": True}


async def test_off_on_and_off_again_in_one_chat_ends_off() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, stepped_up={"conv-1"})
    propose = ActionChangeBillingPreferences(backend.client())
    execute = ActionExecutePendingOperation(backend.client())
    for turn, switch in enumerate(("off", "on", "off")):
        tracker = asked(f"turn {switch} autopay", MARKO_SLOTS, f"m-{turn}", preference="autopay",
                        switch=switch)  # fmt: skip
        proposal, _ = await run_action(propose, tracker)
        await run_action(execute, confirmed(proposal[0]["value"]))
    assert backend.preferences[fake_data.MARKO] == {"autopay": False, "e_billing": True}
    keys = [s.key for s in backend.writes()]
    assert len(set(keys)) == 3  # the third change is not a replay of the first


async def test_without_a_live_step_up_nothing_is_saved(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()),
        confirmed("preferences|autopay=off,e_billing=on|n1"),
    )
    assert said == [(STEP_UP_AGAIN, YES_NO)]
    assert SlotSet("awaiting_confirmation", True) in events
    assert backend.preferences[fake_data.MARKO] == {"autopay": True, "e_billing": True}


async def test_an_unreadable_proposal_saves_nothing(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), confirmed("preferences|autopay=maybe|x")
    )
    assert said == [("I couldn't tell which setting to change, so nothing has changed.", [])]
    assert events == SETTLED
    assert backend.requests == []


def test_a_preference_change_survives_the_slot() -> None:
    operation = Operation("preferences", "autopay=off,e_billing=on", "0a1b2c3d4e5f")
    assert Operation.decode(operation.encode()) == operation
    assert operation.needs_step_up


# -- the back end is down ---------------------------------------------------------------------

FAILURES = [{"down": True}, {"status": 500}, {"status": 503}]


@pytest.mark.parametrize("failure", FAILURES)
async def test_back_end_down_while_reading_the_settings(failure: dict[str, Any]) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, **failure)
    tracker = asked("turn off autopay", MARKO_SLOTS, preference="autopay", switch="off")
    events, said = await run_action(ActionChangeBillingPreferences(backend.client()), tracker)
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []


@pytest.mark.parametrize("failure", FAILURES)
async def test_back_end_down_while_saving(failure: dict[str, Any]) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, stepped_up={"conv-1"}, **failure)
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()),
        confirmed("preferences|autopay=off,e_billing=on|n1"),
    )
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []
    assert len(backend.requests) == 1  # a write is never retried by the client
