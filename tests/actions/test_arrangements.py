from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.arrangements import ActionOfferPaymentArrangement, Choice, requested_choice
from actions.operations import ActionExecutePendingOperation
from actions.pending_request import ActionAnswerPendingRequest
from actions.proposals import Operation
from tests.actions import fake_data
from tests.actions.conftest import (
    EVA_SLOTS,
    SETTLED,
    VERIFIED_SLOTS,
    YES_NO,
    code_passed,
    expected_key,
    make_tracker,
    run_action,
)
from tests.actions.english import (
    ARRANGEMENT_REFUSALS,
    BACKEND_DOWN,
    OFFER_HUMAN_BUTTONS,
    PAY_OR_PERSON_BUTTONS,
    STEP_UP_AGAIN,
)
from tests.actions.fake_backend import FakeBackend
from tests.actions.fake_payments import ACTIVE

CODE_PASSED = code_passed("a***@example.com")


def button(title: str, ref: str) -> dict[str, str]:
    return {"title": title, "payload": f'/ask_payment_arrangement{{"option": "{ref}"}}'}


ANA_CHOICES = [
    button("Move the due date by 7 days", "extend_due_date:7"),
    button("Move the due date by 14 days", "extend_due_date:14"),
    button("Split into 2 monthly payments", "split:2"),
    button("Split into 3 monthly payments", "split:3"),
]
LIMITS = (
    "I can move your due date by up to 14 days, or split the balance into 2 or 3 monthly payments."
)
SPLIT_IN_TWO = (  # every date and amount from the back end's quote, before the yes
    "Here's the change: your balance of 54.17 EUR would be paid in 2 monthly payments:\n"
    "• 30 Nov 2026: 27.09 EUR\n"
    "• 30 Dec 2026: 27.08 EUR\n"
    "Shall I set this up?"
)
ONE_WEEK_LATER = (
    "Here's the change: the whole 54.17 EUR would be due on 7 Dec 2026 instead of 30 Nov 2026."
    " Nothing else changes. Shall I set this up?"
)


def asked(text: str, option: str | None = None, slots: dict[str, Any] | None = None) -> Any:
    entities = [{"entity": "option", "value": option}] if option else []
    return make_tracker(text, "ask_payment_arrangement", entities, slots or VERIFIED_SLOTS)


def confirmed(operation: str, sender_id: str = "conv-1") -> Any:
    slots = {**VERIFIED_SLOTS, **CODE_PASSED, "pending_operation": operation}
    return make_tracker("123456", "provide_account_number", slots=slots, sender_id=sender_id)


# -- what the customer asked for --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can I pay later", None),
        ("I can't afford to pay this month", None),
        ("split my bill in two", Choice("split", 2)),
        ("can i pay in 3 instalments", Choice("split", 3)),
        ("could I pay in 2 rates", Choice("split", 2)),
        ("half now and half next month", Choice("split", 2)),
        ("spread it over three months", Choice("split", 3)),
        ("move my due date by a week", Choice("extend_due_date", 7)),
        ("can I pay in two weeks", Choice("extend_due_date", 14)),
        ("give me a fortnight", Choice("extend_due_date", 14)),
        ("postpone it 10 days", Choice("extend_due_date", 10)),
        ("can I pay in 5 instalments", Choice("split", 5)),
    ],
)
def test_the_arrangement_is_read_from_the_words(text: str, expected: Choice | None) -> None:
    assert requested_choice(None, text) == expected


def test_a_button_names_the_arrangement_exactly() -> None:
    assert requested_choice("split:3", "/ask_payment_arrangement") == Choice("split", 3)
    assert requested_choice("refund:3", "") is None


def test_an_arrangement_survives_the_slot() -> None:
    operation = Operation("arrangement", "extend_due_date:14")
    assert Operation.decode(operation.encode()) == operation
    assert operation.needs_step_up


# -- the options and the proposal -------------------------------------------------------------


async def test_ana_asking_to_pay_later_gets_the_back_end_s_options(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionOfferPaymentArrangement(backend.client()), asked("can I pay later?")
    )
    assert said == [
        (f"You owe 54.17 EUR, due on 30 Nov 2026. {LIMITS} What would suit you?", ANA_CHOICES)
    ]
    assert events == []
    assert [(s.method, s.route) for s in backend.sent()] == [("GET", "/arrangement-options")]


async def test_splitting_in_two_is_proposed_with_what_would_change(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionOfferPaymentArrangement(backend.client()), asked("split my bill in two")
    )
    assert said == [(SPLIT_IN_TWO, YES_NO)]
    assert events == [
        SlotSet("pending_operation", "arrangement|split:2|"),
        SlotSet("awaiting_confirmation", True),
    ]
    assert backend.writes() == []  # nothing is set up before the yes and the code
    quote = backend.sent()[-1]
    assert (quote.route, quote.body) == ("/arrangements/quote", {"kind": "split", "instalments": 2})


async def test_a_button_proposes_moving_the_due_date(backend: FakeBackend) -> None:
    tracker = asked('/ask_payment_arrangement{"option": "extend_due_date:7"}', "extend_due_date:7")
    events, said = await run_action(ActionOfferPaymentArrangement(backend.client()), tracker)
    assert said == [(ONE_WEEK_LATER, YES_NO)]
    assert events[0] == SlotSet("pending_operation", "arrangement|extend_due_date:7|")


async def test_an_arrangement_beyond_the_limits_gets_the_options(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionOfferPaymentArrangement(backend.client()), asked("can I pay in 5 instalments")
    )
    assert said == [(f"I can't set up exactly that. {LIMITS} What would suit you?", ANA_CHOICES)]
    assert events == []


async def test_nothing_owed_means_nothing_to_arrange(backend: FakeBackend) -> None:
    tracker = asked("can I pay later", slots=EVA_SLOTS)
    events, said = await run_action(ActionOfferPaymentArrangement(backend.client()), tracker)
    assert said == [("You don't owe anything at the moment, so there's nothing to arrange.", [])]
    assert events == []


async def test_an_active_arrangement_says_why_and_offers_a_link_or_a_person(
    backend: FakeBackend,
) -> None:
    backend.arrangement_options[fake_data.ANA].update(eligible=False, reason=ACTIVE, options=[])
    events, said = await run_action(
        ActionOfferPaymentArrangement(backend.client()), asked("I need more time to pay")
    )
    assert said == [
        (
            "I can't set up a payment arrangement right now: there is already an active payment"
            " arrangement. You can pay with a secure link, or a person from our billing team can"
            " look at it with you.",
            PAY_OR_PERSON_BUTTONS,
        )
    ]
    assert events == []


async def test_asked_before_verification_the_options_come_right_after_it(
    backend: FakeBackend,
) -> None:
    question = {"text": "can I pay later", "intent": {"name": "ask_payment_arrangement"}}
    events = [
        {"event": "user", "text": "can I pay later", "parse_data": question},
        {"event": "user", "text": "100001", "parse_data": {"intent": {"name": "inform"}}},
    ]
    tracker = make_tracker("1000", "provide_verification_info", slots=VERIFIED_SLOTS, events=events)
    answered, said = await run_action(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said == [
        ("Thanks Ana, you're verified.", []),
        (f"You owe 54.17 EUR, due on 30 Nov 2026. {LIMITS} What would suit you?", ANA_CHOICES),
    ]
    assert answered == []


# -- setting it up after the yes and the code -------------------------------------------------


async def test_ana_splits_in_three_and_hears_the_schedule() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, stepped_up={"conv-1"})
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), confirmed("arrangement|split:3|")
    )
    assert said == [
        (
            "Done: your payment arrangement is set up. You'll pay 54.17 EUR in 3 monthly"
            " payments:\n• 30 Nov 2026: 18.06 EUR\n• 30 Dec 2026: 18.06 EUR\n"
            "• 30 Jan 2027: 18.05 EUR",
            [],
        )
    ]
    assert events == SETTLED
    [sent] = backend.writes()
    assert (sent.method, sent.route, sent.body) == (
        "POST",
        "/arrangements",
        {"kind": "split", "instalments": 3},
    )
    assert sent.key == expected_key("conv-1", "arrangement|split:3|")


async def test_moving_the_due_date_confirms_the_new_date_once_even_when_retried() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, stepped_up={"conv-1"})
    action = ActionExecutePendingOperation(backend.client())
    first = await run_action(action, confirmed("arrangement|extend_due_date:14|"))
    again = await run_action(action, confirmed("arrangement|extend_due_date:14|"))
    done = "Done: your due date has moved. Please pay 54.17 EUR by 14 Dec 2026."
    assert first == again == (SETTLED, [(done, [])])
    assert [s.body for s in backend.writes()] == [{"kind": "extend_due_date", "days": 14}] * 2
    assert len(backend.arrangements) == 1  # the retry was answered, not done again


async def test_a_second_arrangement_is_refused_as_already_active() -> None:
    conversations = {"conv-1", "conv-2"}
    backend = FakeBackend(verified_conversations=conversations, stepped_up=conversations)
    action = ActionExecutePendingOperation(backend.client())
    await run_action(action, confirmed("arrangement|split:2|"))
    events, said = await run_action(action, confirmed("arrangement|split:3|", "conv-2"))
    assert said == [(ARRANGEMENT_REFUSALS["already_pending"], [])]
    assert events == SETTLED


async def test_an_arrangement_the_back_end_no_longer_allows_changes_nothing() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, stepped_up={"conv-1"})
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), confirmed("arrangement|split:6|")
    )
    assert said == [(ARRANGEMENT_REFUSALS["invalid_request"], [])]
    assert events == SETTLED
    assert backend.arrangements == []


async def test_without_a_live_step_up_a_new_code_is_asked_for(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), confirmed("arrangement|split:2|")
    )
    assert said == [(STEP_UP_AGAIN, YES_NO)]
    assert SlotSet("awaiting_confirmation", True) in events  # the proposal stands
    assert backend.arrangements == []


# -- the back end is down ---------------------------------------------------------------------

FAILURES = [{"down": True}, {"status": 500}, {"status": 503}]


@pytest.mark.parametrize("failure", FAILURES)
async def test_back_end_down_while_looking_at_options(failure: dict[str, Any]) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, **failure)
    events, said = await run_action(
        ActionOfferPaymentArrangement(backend.client()), asked("can I pay later")
    )
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []
    assert len(backend.requests) == 2  # a read is retried once


@pytest.mark.parametrize("failure", FAILURES)
async def test_back_end_down_while_setting_it_up(failure: dict[str, Any]) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, stepped_up={"conv-1"}, **failure)
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), confirmed("arrangement|split:2|")
    )
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []  # the proposal stays: a later yes retries with the same key
    assert len(backend.requests) == 1  # a write is never retried by the client
