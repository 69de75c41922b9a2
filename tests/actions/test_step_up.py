from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.insight import ActionReviewAccount
from actions.keys import idempotency_key
from actions.operations import ActionExecutePendingOperation
from actions.step_up import (
    ActionAskStepUpChannel,
    ActionAskStepUpCode,
    ValidateStepUpForm,
    choose_channel,
    find_code,
)
from tests.actions import fake_data
from tests.actions.conftest import MARKO_SLOTS, make_tracker, run_action
from tests.actions.english import BACKEND_DOWN, OFFER_HUMAN_BUTTONS
from tests.actions.fake_backend import FakeBackend

DOMAIN: dict[str, Any] = {
    "forms": {"step_up_form": {"required_slots": ["step_up_channel", "step_up_code"]}}
}
CHANNELS = fake_data.channels(fake_data.MARKO)
EMAIL, SMS = CHANNELS
CREDIT_PENDING = {**MARKO_SLOTS, "pending_operation": "credit|17|", "awaiting_confirmation": True}


def answering(requested: str, text: str, intent: str = "", **slots: Any) -> Tracker:
    entities = []
    if text.startswith("/choose_option"):
        entities = [{"entity": "option", "value": text.split('"option": "')[1].rstrip('"}')}]
    values = {**CREDIT_PENDING, "requested_slot": requested, **slots}
    return make_tracker(text, intent or "choose_option", entities, slots=values)


def backend_for_marko(**kwargs: Any) -> FakeBackend:
    return FakeBackend(verified_conversations={"conv-1"}, **kwargs)


async def code_sent(backend: FakeBackend) -> None:
    """The customer picked the e-mail, so the back end has sent a code."""
    await run_action(
        ValidateStepUpForm(backend.client()), answering("step_up_channel", "email"), DOMAIN
    )


# -- reading the answers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("123456", "123456"),
        ("123 456", "123456"),
        ("123-456", "123456"),
        ("the code is 123 456, thanks", "123456"),
        ("1234567", None),
        ("12 34 56", None),
        ("no code yet", None),
    ],
)
def test_the_code_is_found_in_what_the_customer_typed(text: str, code: str | None) -> None:
    assert find_code(text) == code


@pytest.mark.parametrize(
    ("text", "option", "chosen"),
    [
        ("email please", None, EMAIL),
        ("send it to my e-mail", None, EMAIL),
        ("sms", None, SMS),
        ("text it to my phone", None, SMS),
        ("", SMS["id"], SMS),
        ("", "ch_unknown", None),
        ("whatever", None, None),
        ("yes", None, None),  # two contacts: "yes" does not say which
    ],
)
def test_the_channel_is_picked_by_button_or_by_word(
    text: str, option: str | None, chosen: dict[str, str] | None
) -> None:
    assert choose_channel(CHANNELS, text, option) == chosen


def test_with_one_contact_a_yes_is_enough() -> None:
    assert choose_channel([EMAIL], "yes, send it", None) == EMAIL


# -- asking -----------------------------------------------------------------------------------


async def test_the_masked_contacts_are_offered_as_buttons() -> None:
    backend = backend_for_marko()
    tracker = make_tracker("yes", "affirm", slots=CREDIT_PENDING)
    events, said = await run_action(ActionAskStepUpChannel(backend.client()), tracker)
    assert said == [
        (
            "To confirm it's really you, I'll send a one-time code. Where should I send it?",
            [
                {"title": "m***@example.com", "payload": '/choose_option{"option": "ch_100002e"}'},
                {"title": "+386 *** *** 100", "payload": '/choose_option{"option": "ch_100002s"}'},
            ],
        )
    ]
    assert events == []


@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_when_offering_contacts_gives_one_clear_sentence(
    failure: dict[str, Any],
) -> None:
    backend = backend_for_marko(**failure)
    tracker = make_tracker("yes", "affirm", slots=CREDIT_PENDING)
    events, said = await run_action(ActionAskStepUpChannel(backend.client()), tracker)
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == [SlotSet("step_up_code", "unavailable")]


async def test_the_code_question_names_the_masked_contact() -> None:
    tracker = make_tracker(slots={**CREDIT_PENDING, "step_up_channel": "m***@example.com"})
    events, said = await run_action(ActionAskStepUpCode(), tracker)
    assert said == [
        ("Please type the 6-digit code I sent to m***@example.com. It's valid for 5 minutes.", [])
    ]
    assert events == []


# -- the form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "channel"),
    [("email please", EMAIL), ('/choose_option{"option": "ch_100002s"}', SMS)],
)
async def test_a_picked_contact_gets_a_code(text: str, channel: dict[str, str]) -> None:
    backend = backend_for_marko()
    tracker = answering("step_up_channel", text)
    events, said = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert events == [SlotSet("step_up_channel", channel["masked"])]
    assert said == []
    sent = backend.writes()[-1]
    assert (sent.route, sent.body) == ("/step-up/codes", {"channel_id": channel["id"]})
    assert sent.key == idempotency_key(tracker, f"step-up-code:{channel['id']}")


async def test_an_answer_that_names_no_contact_sends_nothing() -> None:
    backend = backend_for_marko()
    events, said = await run_action(
        ValidateStepUpForm(backend.client()), answering("step_up_channel", "hmm"), DOMAIN
    )
    assert events == []
    assert said == []
    assert backend.writes() == []


async def test_the_right_code_typed_with_a_space_steps_up() -> None:
    backend = backend_for_marko()
    await code_sent(backend)
    tracker = answering(
        "step_up_code", "123 456", "nlu_fallback", step_up_channel="m***@example.com"
    )
    events, said = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert said == []
    assert events == [
        SlotSet("requested_slot", None),
        SlotSet("step_up_code", "passed"),
        SlotSet("stepped_up", True),
    ]
    check = backend.sent()[-1]
    assert (check.route, check.body) == ("/step-up/verify", {"code": "123456"})
    assert all("123456" not in str(event["value"]) for event in events)  # never in a slot


async def test_a_wrong_code_says_how_many_tries_are_left_then_gives_up() -> None:
    backend = backend_for_marko()
    await code_sent(backend)
    form = ValidateStepUpForm(backend.client())
    tracker = answering("step_up_code", "654321", step_up_channel="m***@example.com")

    events, said = await run_action(form, tracker, DOMAIN)
    assert said == [("That code isn't right. You have 2 tries left.", [])]
    assert events == [SlotSet("step_up_code", None)]

    _, said = await run_action(form, tracker, DOMAIN)
    assert said == [("That code isn't right. You have 1 try left.", [])]

    events, said = await run_action(form, tracker, DOMAIN)
    assert said == []
    assert events == [SlotSet("step_up_code", "failed")]


async def test_the_account_number_typed_at_the_code_prompt_is_not_a_try() -> None:
    backend = backend_for_marko()
    await code_sent(backend)
    account = str(MARKO_SLOTS["verified_account_number"])
    tracker = answering(
        "step_up_code", account, "provide_account_number", step_up_channel="m***@example.com"
    )
    events, said = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert said == [("That's your account number. I need the 6-digit code we just sent you.", [])]
    assert events == [SlotSet("step_up_code", None)]
    assert backend.sent()[-1].route != "/step-up/verify"  # the back end counted no try


@pytest.mark.parametrize("answer", ["expired", "locked"])
async def test_an_expired_or_locked_code_fails(answer: str) -> None:
    backend = backend_for_marko(code_answer=answer)
    tracker = answering("step_up_code", "123456", step_up_channel="m***@example.com")
    events, said = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert said == []
    assert events == [SlotSet("step_up_code", "failed")]


async def test_a_recent_step_up_asks_for_nothing() -> None:
    backend = backend_for_marko()
    tracker = make_tracker("yes", "affirm", slots={**CREDIT_PENDING, "stepped_up": True})
    events, said = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert events == [SlotSet("requested_slot", None)]
    assert said == []
    assert backend.requests == []


async def test_a_dispute_needs_no_code() -> None:
    backend = backend_for_marko()
    dispute = "dispute|INV-100002-202610:203|customer disputes a charge in chat"
    tracker = make_tracker("yes", "affirm", slots={**MARKO_SLOTS, "pending_operation": dispute})
    events, said = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert events == [SlotSet("requested_slot", None)]
    assert said == []
    assert backend.requests == []


# -- the back end is down or says no during the step-up ---------------------------------------


@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_picking_the_contact_ends_in_nothing_changed(
    failure: dict[str, Any],
) -> None:
    backend = backend_for_marko(**failure)
    events, said = await run_action(
        ValidateStepUpForm(backend.client()), answering("step_up_channel", "email"), DOMAIN
    )
    assert said == []
    assert events == [SlotSet("step_up_channel", "-"), SlotSet("step_up_code", "unavailable")]

    asked = len(backend.requests)
    after = make_tracker("email", slots={**CREDIT_PENDING, "step_up_code": "unavailable"})
    events, said = await run_action(ActionExecutePendingOperation(backend.client()), after)
    assert said == [
        ("I couldn't confirm the one-time code, so nothing has changed.", OFFER_HUMAN_BUTTONS)
    ]
    assert events[0] == SlotSet("pending_operation", None)
    assert len(backend.requests) == asked  # nothing sent to the back end
    assert backend.writes() == []


@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_checking_the_code_ends_in_nothing_changed(
    failure: dict[str, Any],
) -> None:
    backend = backend_for_marko(**failure)
    tracker = answering("step_up_code", "123456", step_up_channel="m***@example.com")
    events, said = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert said == []
    assert events == [SlotSet("step_up_code", "unavailable")]
    assert len(backend.requests) == 1  # a code is checked once: each answer counts as a try


async def test_a_code_sent_but_the_back_end_down_before_the_check_sends_no_credit() -> None:
    backend = backend_for_marko()
    await code_sent(backend)
    backend.down = True
    tracker = answering("step_up_code", "123456", step_up_channel="m***@example.com")
    events, _ = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert events == [SlotSet("step_up_code", "unavailable")]
    backend.down = False
    after = make_tracker("123456", slots={**CREDIT_PENDING, "step_up_code": "unavailable"})
    _, said = await run_action(ActionExecutePendingOperation(backend.client()), after)
    assert said[0][0] == "I couldn't confirm the one-time code, so nothing has changed."
    assert [s.route for s in backend.writes()] == ["/step-up/codes"]


@pytest.mark.parametrize(
    ("requested", "outcome"),
    [
        (
            "step_up_channel",
            [SlotSet("step_up_channel", "-"), SlotSet("step_up_code", "unavailable")],
        ),
        ("step_up_code", [SlotSet("step_up_code", "unavailable")]),
    ],
)
async def test_a_verification_that_ended_at_the_back_end_does_not_break_the_form(
    requested: str, outcome: list[dict[str, Any]]
) -> None:
    backend = FakeBackend()  # the back end no longer knows this conversation: 403 not_verified
    tracker = answering(requested, "email 123456", step_up_channel="m***@example.com")
    events, said = await run_action(ValidateStepUpForm(backend.client()), tracker, DOMAIN)
    assert said == []
    assert events == outcome


async def test_a_verification_that_ended_does_not_break_the_contact_question() -> None:
    backend = FakeBackend()  # 403 not_verified
    tracker = make_tracker("yes", "affirm", slots=CREDIT_PENDING)
    events, said = await run_action(ActionAskStepUpChannel(backend.client()), tracker)
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == [SlotSet("step_up_code", "unavailable")]


# -- the whole way: proposal, contact, code, credit -------------------------------------------


async def test_marko_credit_after_a_yes_an_email_and_the_code() -> None:
    backend = backend_for_marko()
    slots: dict[str, Any] = {**MARKO_SLOTS}

    def apply(events: list[dict[str, Any]]) -> None:
        slots.update({e["name"]: e["value"] for e in events if e["event"] == "slot"})

    complaint = make_tracker("roaming charged twice", "dispute_charge", slots=slots)
    events, _ = await run_action(ActionReviewAccount(backend.client()), complaint)
    apply(events)
    events, _ = await run_action(
        ActionAskStepUpChannel(backend.client()), make_tracker("yes", "affirm", slots=slots)
    )
    apply(events)
    slots["requested_slot"] = "step_up_channel"
    events, _ = await run_action(
        ValidateStepUpForm(backend.client()),
        make_tracker("email please", "choose_option", slots=slots),
        DOMAIN,
    )
    apply(events)
    slots["requested_slot"] = "step_up_code"
    events, _ = await run_action(
        ValidateStepUpForm(backend.client()), make_tracker("123 456", slots=slots), DOMAIN
    )
    apply(events)
    assert slots["stepped_up"] is True
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), make_tracker("123 456", slots=slots)
    )
    assert said == [
        (
            "Done: I've credited 12.19 EUR to your account for invoice INV-100002-202610."
            " Your balance is now 36.46 EUR.",
            [],
        )
    ]
    assert [(s.method, s.route) for s in backend.sent()] == [
        ("POST", "/reviews"),
        ("GET", "/step-up/channels"),
        ("GET", "/step-up/channels"),
        ("POST", "/step-up/codes"),
        ("POST", "/step-up/verify"),
        ("POST", "/findings/17/credit"),
    ]
    assert all(s.key for s in backend.writes())
