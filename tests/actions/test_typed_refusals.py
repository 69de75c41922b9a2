"""The words for the back end's newer refusals: what the customer hears and what is reset."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionExplainInvoice
from actions.operations import ActionExecutePendingOperation
from actions.step_up import ValidateStepUpForm
from actions.verification import ValidateVerificationForm
from tests.actions.conftest import (
    MARKO_SLOTS,
    VERIFIED_SLOTS,
    code_passed,
    make_tracker,
    run_action,
)
from tests.actions.english import (
    BEYOND,
    BEYOND_AUTHORITY,
    HANDOFF_QUESTION,
    INVALID_REQUEST,
    OFFER_HUMAN_BUTTONS,
    TOO_MANY_CODES,
    TOO_MANY_REQUESTS,
)
from tests.actions.fake_backend import FakeBackend
from tests.actions.test_no_silence import DOMAIN, Breaking, error


def failing(status: int, code: str, **extra: str) -> Breaking:
    backend = FakeBackend(verified_conversations={"conv-1"}, stepped_up={"conv-1"})
    return Breaking(backend, lambda _: error(status, code, **extra))


async def test_an_odd_month_is_answered_with_a_hint_and_a_person() -> None:
    tracker = make_tracker(
        "my bill for 9999-12",
        "explain_bill",
        entities=[{"entity": "month", "value": "9999-12"}],
        slots=VERIFIED_SLOTS,
    )
    events, said = await run_action(
        ActionExplainInvoice(failing(422, "invalid_request").client()), tracker
    )
    assert (events, said) == ([], [(INVALID_REQUEST, OFFER_HUMAN_BUTTONS)])


async def test_a_limit_used_up_offers_a_person_and_remembers_why() -> None:
    tracker = make_tracker("explain my bill", "explain_bill", slots=VERIFIED_SLOTS)
    action = ActionExplainInvoice(failing(403, "authority_used_up", remaining="0.00").client())
    events, said = await run_action(action, tracker)
    assert said == [(f"{BEYOND_AUTHORITY} {HANDOFF_QUESTION}", OFFER_HUMAN_BUTTONS)]
    assert SlotSet("handoff_reason", "beyond_authority") in events
    assert SlotSet("awaiting_confirmation", False) in events


async def test_too_many_requests_asks_to_wait() -> None:
    tracker = make_tracker("explain my bill", "explain_bill", slots=VERIFIED_SLOTS)
    events, said = await run_action(
        ActionExplainInvoice(failing(429, "too_many_requests").client()), tracker
    )
    assert (events, said) == ([], [(TOO_MANY_REQUESTS, OFFER_HUMAN_BUTTONS)])


async def test_a_credit_the_invoice_cannot_take_goes_to_a_person_for_that_finding() -> None:
    slots = {
        **MARKO_SLOTS,
        **code_passed("m***@example.com"),
        "pending_operation": "credit|17|",
        "awaiting_confirmation": True,
    }
    action = ActionExecutePendingOperation(
        failing(409, "credit_exceeds_invoice", remaining="0.00").client()
    )
    events, said = await run_action(action, make_tracker("yes", "affirm", slots=slots))
    assert said == [(f"{BEYOND['credit_exceeds_invoice']} {HANDOFF_QUESTION}", OFFER_HUMAN_BUTTONS)]
    assert SlotSet("handoff_reason", "beyond_authority|17") in events
    assert SlotSet("pending_operation", None) in events


async def test_an_answer_the_back_end_finds_invalid_is_a_wrong_answer_not_an_outage() -> None:
    tracker = make_tracker(
        "14.3.1985",
        "provide_verification_info",
        slots={"requested_slot": "identity_check", "account_number": "100001"},
    )
    dispatcher = CollectingDispatcher()
    form = ValidateVerificationForm(failing(422, "invalid_request").client())
    events = await form.run(dispatcher, tracker, DOMAIN)
    assert [m["text"] for m in dispatcher.messages] == ["Sorry, that doesn't match our records."]
    assert SlotSet("identity_check", None) in events


async def test_a_throttled_verification_is_treated_as_locked() -> None:
    tracker = make_tracker(
        "14.3.1985",
        "provide_verification_info",
        slots={"requested_slot": "identity_check", "account_number": "100001"},
    )
    form = ValidateVerificationForm(failing(429, "too_many_requests").client())
    events = await form.run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("identity_check", "locked") in events


async def test_too_many_codes_is_said_and_the_code_ends_as_unavailable() -> None:
    slots = {
        **MARKO_SLOTS,
        "pending_operation": "credit|17|",
        "awaiting_confirmation": True,
        "requested_slot": "step_up_channel",
    }
    backend = Breaking(FakeBackend(verified_conversations={"conv-1"}), at=1)
    backend.failure = lambda _: error(429, "too_many_requests")  # the channels read passes
    dispatcher = CollectingDispatcher()
    events = await ValidateStepUpForm(backend.client()).run(
        dispatcher, make_tracker("email", "choose_option", slots=slots), DOMAIN
    )
    assert [m["text"] for m in dispatcher.messages] == [TOO_MANY_CODES]
    assert SlotSet("step_up_code", "unavailable") in events
