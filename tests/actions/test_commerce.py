from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.account import AccountAction
from actions.commerce import (
    ActionMakeOffer,
    ActionRecommendPlan,
    ActionSendPaymentLink,
)
from actions.keys import idempotency_key
from actions.pending_request import ActionAnswerPendingRequest
from tests.actions import fake_data
from tests.actions.conftest import (
    EVA_SLOTS,
    VERIFIED_SLOTS,
    YES_NO,
    make_tracker,
    run_action,
)
from tests.actions.english import BACKEND_DOWN, HANDOFF_QUESTION, OFFER_HUMAN_BUTTONS, REFUSED
from tests.actions.fake_backend import FakeBackend

LOYALTY_OFFER = (
    "Before you decide: I can offer you our Loyalty discount, 15% off your plan for 12 months."
    " That saves you 8.99 EUR a month, 107.88 EUR in total. Would you like it?"
)
ANA_TERMS = (
    "If you cancel now, your service ends on 27 Dec 2026 (30 days' notice). Your contract runs"
    " until 30 Sep 2027, so an early-termination fee of 120.00 EUR applies."
)
LOYALTY_ON_REQUEST = LOYALTY_OFFER.replace("Before you decide: I can offer you", "You qualify for")
RECORD_CANCELLATION = ("Do you want me to record your cancellation request?", YES_NO)


# -- offers -----------------------------------------------------------------------------------


async def test_eva_is_offered_the_loyalty_discount_before_cancelling(backend: FakeBackend) -> None:
    tracker = make_tracker("I want to cancel my contract", "cancel_service", slots=EVA_SLOTS)
    events, said = await run_action(ActionMakeOffer(backend.client()), tracker)
    assert said == [(LOYALTY_OFFER, YES_NO)]
    assert events == [
        SlotSet("pending_operation", "offer|41|cancellation"),
        SlotSet("awaiting_confirmation", True),
    ]
    [sent] = backend.sent()
    assert (sent.path, sent.body) == ("/api/v1/accounts/100003/offers", {"trigger": "cancellation"})
    assert sent.key == idempotency_key(tracker, "offer:cancellation")


async def test_eva_asking_for_a_discount_gets_the_offer_for_that_trigger(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker("can I get a discount", "request_discount", slots=EVA_SLOTS)
    events, said = await run_action(ActionMakeOffer(backend.client()), tracker)
    assert said == [(LOYALTY_ON_REQUEST, YES_NO)]
    assert events[0] == SlotSet("pending_operation", "offer|41|discount_request")
    assert backend.sent()[0].body == {"trigger": "discount_request"}


async def test_no_discount_within_policy_is_said_honestly(backend: FakeBackend) -> None:
    tracker = make_tracker("any discounts for me?", "request_discount", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionMakeOffer(backend.client()), tracker)
    assert said == [
        (
            "I've checked your account, but I can't offer a discount right now. I can look for a"
            " cheaper plan that fits your usage: just ask me about plans.",
            [],
        )
    ]
    assert events == []


async def test_cancelling_without_an_offer_explains_the_terms_and_asks_to_record_it(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker("cancel my internet", "cancel_service", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionMakeOffer(backend.client()), tracker)
    assert said == [(ANA_TERMS, []), RECORD_CANCELLATION]
    assert events == [
        SlotSet("pending_operation", "cancel||"),
        SlotSet("awaiting_confirmation", True),
    ]
    assert [(s.method, s.route) for s in backend.sent()] == [
        ("POST", "/offers"),
        ("GET", "/cancellation-terms"),
    ]


async def test_an_offer_beyond_the_bot_goes_to_a_colleague(backend: FakeBackend) -> None:
    backend.offer_decisions[(fake_data.ANA, "discount_request")] = "needs_human"
    tracker = make_tracker("I want a better price", "request_discount", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionMakeOffer(backend.client()), tracker)
    assert said == [
        (
            f"A better offer for your account needs a colleague's approval. {HANDOFF_QUESTION}",
            OFFER_HUMAN_BUTTONS,
        )
    ]
    assert events == [SlotSet("handoff_reason", "beyond_authority")]


async def test_the_same_turn_retried_asks_for_the_offer_with_the_same_key(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker("I want to cancel", "cancel_service", slots=EVA_SLOTS)
    first = await run_action(ActionMakeOffer(backend.client()), tracker)
    again = await run_action(ActionMakeOffer(backend.client()), tracker)
    assert again == first
    assert backend.sent()[0].key == backend.sent()[1].key
    assert backend.requests[1].headers == backend.requests[0].headers
    next_turn = make_tracker("I want to cancel", "cancel_service", slots=EVA_SLOTS)
    next_turn.latest_message["message_id"] = "m-2"
    await run_action(ActionMakeOffer(backend.client()), next_turn)
    assert backend.sent()[2].key != backend.sent()[0].key  # a new request gets a new key


async def test_cancel_asked_before_verification_gets_the_offer_after_it(
    backend: FakeBackend,
) -> None:
    asked = {"text": "cancel my contract", "intent": {"name": "cancel_service"}, "entities": []}
    events = [
        {"event": "user", "text": "cancel my contract", "parse_data": asked},
        {"event": "user", "text": "100003", "parse_data": {"intent": {"name": "inform"}}},
    ]
    tracker = make_tracker("3000", "provide_verification_info", slots=EVA_SLOTS, events=events)
    answered, said = await run_action(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said == [("Thanks Eva, you're verified.", []), (LOYALTY_OFFER, YES_NO)]
    assert answered[0] == SlotSet("pending_operation", "offer|41|cancellation")


# -- plans ------------------------------------------------------------------------------------


async def test_ana_is_already_on_the_best_plan(backend: FakeBackend) -> None:
    tracker = make_tracker("is there a cheaper plan", "change_plan", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionRecommendPlan(backend.client()), tracker)
    assert said == [
        (
            "Your data use over the last three months: 2026-08: 800 GB, 2026-09: 853 GB,"
            " 2026-10: 1003 GB.",
            [],
        ),
        (
            "Fiber 300 is already the best plan for your usage. Your contract runs until"
            " 30 Sep 2027; a plan change keeps it.",
            [],
        ),
    ]
    assert events == []
    assert backend.writes() == []


async def test_a_cheaper_plan_is_quoted_and_proposed(backend: FakeBackend) -> None:
    backend.plan_options[fake_data.ANA] = fake_data.ANA_LIGHT_USE
    tracker = make_tracker("is there a cheaper plan", "change_plan", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionRecommendPlan(backend.client()), tracker)
    assert said[1:] == [
        (
            "The cheapest plan that fits is Fiber 100 at 29.90 EUR a month: you'd save 10.00 EUR"
            " a month. Your contract runs until 30 Sep 2027; a plan change keeps it.",
            [],
        ),
        (
            "If you switch now:\n"
            "• Fiber 300 becomes Fiber 100 today\n"
            "• monthly price 39.90 -> 29.90 EUR\n"
            "• the next invoice changes by -1.33 EUR for this month's rest",
            [],
        ),
        ("Shall I switch you to Fiber 100?", YES_NO),
    ]
    assert events == [
        SlotSet("pending_operation", "plan|fiber-100|"),
        SlotSet("awaiting_confirmation", True),
    ]
    quote = backend.sent()[-1]
    assert (quote.route, quote.body) == ("/plan-changes/quote", {"plan_code": "fiber-100"})
    assert backend.writes() == []  # a quote changes nothing


# -- payment links ----------------------------------------------------------------------------


async def test_ana_gets_a_payment_link_for_her_balance(backend: FakeBackend) -> None:
    tracker = make_tracker("I want to pay", "pay_bill", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionSendPaymentLink(backend.client()), tracker)
    assert said == [
        (
            "Here's your secure payment link for 54.17 EUR: https://pay.example.com/p/3q2X7kPq"
            " (valid until 29 Nov 2026). Please never type card numbers in this chat.",
            [],
        )
    ]
    assert events == []
    [sent] = backend.writes()
    assert (sent.route, sent.body) == ("/payment-links", {})
    assert sent.key == idempotency_key(tracker, "payment-link")


async def test_nothing_owed_means_no_link(backend: FakeBackend) -> None:
    tracker = make_tracker("I want to pay my bill", "pay_bill", slots=EVA_SLOTS)
    events, said = await run_action(ActionSendPaymentLink(backend.client()), tracker)
    assert said == [("You don't owe anything at the moment, so there's nothing to pay.", [])]
    assert events == []


async def test_another_refusal_of_a_link_offers_a_person(backend: FakeBackend) -> None:
    backend.refusals["/payment-links"] = "already_pending"
    tracker = make_tracker("I want to pay", "pay_bill", slots=VERIFIED_SLOTS)
    events, said = await run_action(ActionSendPaymentLink(backend.client()), tracker)
    assert said == [(REFUSED, OFFER_HUMAN_BUTTONS)]
    assert events == [SlotSet("awaiting_confirmation", False)]


# -- the back end is down ---------------------------------------------------------------------

QUESTIONS = {
    ActionMakeOffer: ("I want to cancel", "cancel_service"),
    ActionRecommendPlan: ("a cheaper plan please", "change_plan"),
    ActionSendPaymentLink: ("pay my bill", "pay_bill"),
}


@pytest.mark.parametrize("action_class", list(QUESTIONS))
@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_gives_one_clear_sentence(
    action_class: type[AccountAction], failure: dict[str, Any]
) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, **failure)
    text, intent = QUESTIONS[action_class]
    events, said = await run_action(
        action_class(backend.client()), make_tracker(text, intent, slots=EVA_SLOTS)
    )
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []
