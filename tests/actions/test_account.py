from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import (
    AccountAction,
    ActionExplainInvoice,
    ActionListPayments,
    ActionTellBalance,
)
from actions.formatting import invoice_status
from actions.pending_request import ActionAnswerPendingRequest
from actions.session import ActionSessionStart
from tests.actions.conftest import VERIFIED_SLOTS, make_tracker
from tests.actions.english import BACKEND_DOWN, CARD_NUMBER_HIDDEN, REVERIFY
from tests.actions.fake_backend import FakeBackend


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [message["text"] for message in dispatcher.messages]


async def run(action: AccountAction, tracker) -> tuple[list[dict[str, Any]], list[str]]:
    action.today = lambda: date(2026, 11, 27)  # type: ignore[method-assign]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return events, texts(dispatcher)


async def test_balance_with_due_date_latest_invoice_and_last_payment(backend: FakeBackend) -> None:
    tracker = make_tracker("how much do i owe", "ask_balance", slots=VERIFIED_SLOTS)
    events, said = await run(ActionTellBalance(backend.client()), tracker)
    assert events == []
    assert said == [
        "Your balance is 54.17 EUR, due by 30 Nov 2026.",
        "Latest invoice INV-100001-202610: 54.17 EUR, due 30 Nov 2026 (open).\n"
        "Your last payment: 36.48 EUR on 20 Oct 2026.",
    ]
    assert backend.requests[0].headers["X-Conversation-Id"] == "conv-1"


async def test_a_card_number_the_channel_hid_is_pointed_out_before_the_answer(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker(
        "my card [card number removed] paid it, what do I owe?", "ask_balance", slots=VERIFIED_SLOTS
    )
    _, said = await run(ActionTellBalance(backend.client()), tracker)
    assert said[0] == CARD_NUMBER_HIDDEN
    assert said[1] == "Your balance is 54.17 EUR, due by 30 Nov 2026."
    plain = make_tracker("what do I owe?", "ask_balance", slots=VERIFIED_SLOTS)
    _, said = await run(ActionTellBalance(backend.client()), plain)
    assert CARD_NUMBER_HIDDEN not in said


async def test_due_date_question_leads_with_the_due_date(backend: FakeBackend) -> None:
    tracker = make_tracker("when is it due", "ask_due_date", slots=VERIFIED_SLOTS)
    _, said = await run(ActionTellBalance(backend.client()), tracker)
    assert said[0] == "Your next payment of 54.17 EUR is due by 30 Nov 2026."


async def test_latest_invoice_explained_line_by_line(backend: FakeBackend) -> None:
    tracker = make_tracker("explain my bill", "explain_bill", slots=VERIFIED_SLOTS)
    _, said = await run(ActionExplainInvoice(backend.client()), tracker)
    assert said[0] == "Invoice INV-100001-202610 for October 2026, due 30 Nov 2026 (open):"
    assert said[1].splitlines() == [
        "• Fiber 300, October 2026: 39.90 EUR",
        "  Your monthly Fiber 300 plan for 1-31 October 2026.",
        "• Extra data, 3 GB: 4.50 EUR",
        "  Extra usage beyond your plan's allowance in October 2026.",
        "• VAT 22%: 9.77 EUR",
        "  22% VAT on the charges above.",
    ]
    assert said[2] == "Total: 54.17 EUR"


async def test_a_named_month_picks_that_invoice(backend: FakeBackend) -> None:
    tracker = make_tracker(
        "september bill",
        "explain_bill",
        [{"entity": "month", "value": "September"}],
        slots=VERIFIED_SLOTS,
    )
    _, said = await run(ActionExplainInvoice(backend.client()), tracker)
    assert said[0].startswith("Invoice INV-100001-202609 for September 2026")


async def test_a_month_without_an_invoice_says_so(backend: FakeBackend) -> None:
    tracker = make_tracker(
        "may bill", "explain_bill", [{"entity": "month", "value": "May"}], slots=VERIFIED_SLOTS
    )
    _, said = await run(ActionExplainInvoice(backend.client()), tracker)
    assert said == ["I don't see an invoice for May 2026."]


async def test_a_charge_named_by_amount_is_pointed_at(backend: FakeBackend) -> None:
    tracker = make_tracker(
        "what is the 4,50 charge",
        "explain_charge",
        [{"entity": "amount", "value": "4,50"}],
        slots=VERIFIED_SLOTS,
    )
    _, said = await run(ActionExplainInvoice(backend.client()), tracker)
    assert said == [
        "The 4.50 EUR line on invoice INV-100001-202610: "
        "Extra usage beyond your plan's allowance in October 2026."
    ]


async def test_an_amount_not_on_the_invoice_says_so_and_shows_all_lines(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker(
        "what is the 7 euro charge",
        "explain_charge",
        [{"entity": "amount", "value": "7"}],
        slots=VERIFIED_SLOTS,
    )
    _, said = await run(ActionExplainInvoice(backend.client()), tracker)
    assert said[0] == "There is no line of 7.00 EUR on this invoice. Here is all of it:"
    assert said[-1] == "Total: 54.17 EUR"


async def test_payments_listed_newest_first(backend: FakeBackend) -> None:
    tracker = make_tracker("my payments", "payment_history", slots=VERIFIED_SLOTS)
    _, said = await run(ActionListPayments(backend.client()), tracker)
    assert said == [
        "Your last payments:\n"
        "• 20 Oct 2026: 36.48 EUR (card)\n"
        "• 18 Sep 2026: 36.48 EUR (bank transfer)"
    ]


@pytest.mark.parametrize(
    "action_class", [ActionTellBalance, ActionExplainInvoice, ActionListPayments]
)
@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_gives_one_clear_sentence(
    action_class: type[AccountAction], failure: dict
) -> None:
    backend = FakeBackend(**failure)
    events, said = await run(
        action_class(backend.client()), make_tracker("balance", "ask_balance", slots=VERIFIED_SLOTS)
    )
    assert said == [BACKEND_DOWN]
    assert events == []
    assert len(backend.requests) == 2  # one retry for a read, then give up


async def test_back_end_no_longer_verified_resets_verification() -> None:
    backend = FakeBackend()  # the conversation is not verified there
    events, said = await run(
        ActionTellBalance(backend.client()),
        make_tracker("balance", "ask_balance", slots=VERIFIED_SLOTS),
    )
    assert said == [REVERIFY]
    assert SlotSet("verified", False) in events
    assert SlotSet("verified_account_number", None) in events


async def test_pending_question_answered_after_verification(backend: FakeBackend) -> None:
    asked = {"intent": {"name": "payment_history"}, "entities": []}
    events = [
        {"event": "user", "text": "did you get my payment", "parse_data": asked},
        {
            "event": "user",
            "text": "100001",
            "parse_data": {"intent": {"name": "provide_account_number"}},
        },
        {
            "event": "user",
            "text": "[removed]",
            "parse_data": {"intent": {"name": "provide_verification_info"}},
        },
    ]
    tracker = make_tracker("x", "provide_verification_info", slots=VERIFIED_SLOTS, events=events)
    _, said = await run(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said[0] == "Thanks Ana, you're verified."
    assert said[1].startswith("Your last payments:")


async def test_verified_without_a_pending_question_asks_what_next(backend: FakeBackend) -> None:
    tracker = make_tracker("100001", "provide_account_number", slots=VERIFIED_SLOTS)
    _, said = await run(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said == ["Thanks Ana, you're verified. What would you like to know?"]


async def test_locked_check_explains_offers_a_person_and_forgets_the_attempt(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker(
        "1.1.1990",
        "provide_verification_info",
        slots={"identity_check": "locked", "account_number": "100004"},
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerPendingRequest(backend.client()).run(dispatcher, tracker, {})
    assert "paused after too many attempts" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/talk_to_human"
    assert events == [
        SlotSet("identity_check", None),
        SlotSet("account_number", None),
        SlotSet("verification_locked", True),
    ]
    assert backend.requests == []


async def test_check_unavailable_says_the_back_end_is_down(backend: FakeBackend) -> None:
    tracker = make_tracker(
        "14.3.1985", "provide_verification_info", slots={"identity_check": "unavailable"}
    )
    events, said = await run(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said == [BACKEND_DOWN]
    assert SlotSet("identity_check", None) in events


@pytest.mark.parametrize("down", [False, True])
async def test_session_start_ends_the_back_end_verification(down: bool) -> None:
    backend = FakeBackend(down=down)
    events = await ActionSessionStart(backend.client()).run(
        CollectingDispatcher(), make_tracker(), {}
    )
    assert [event["event"] for event in events] == ["session_started", "action"]
    assert [(r.method, r.url.path) for r in backend.requests] == [
        ("DELETE", "/api/v1/verifications/conv-1")
    ]


def test_an_invoice_a_credit_partly_covers_is_not_called_paid() -> None:
    assert invoice_status("partially_paid") == "partly paid or credited"
    assert [invoice_status(status) for status in ("open", "paid", "overdue")] == [
        "open",
        "paid",
        "overdue",
    ]
