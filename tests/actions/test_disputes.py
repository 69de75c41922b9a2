from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.disputes import ActionTellDisputeStatus
from actions.operations import ActionExecutePendingOperation
from actions.pending_request import ActionAnswerPendingRequest
from tests.actions.conftest import MARKO_SLOTS, VERIFIED_SLOTS, make_tracker, run_action
from tests.actions.english import (
    BACKEND_DOWN,
    DISAGREE,
    NO_DISPUTES,
    OFFER_HUMAN_BUTTONS,
    OPEN_ONE_BUTTONS,
)
from tests.actions.fake_backend import FakeBackend

IN_REVIEW = (
    "• #12 Roaming pack, October 2026 (9.99 EUR) on invoice INV-100002-202610, opened"
    " 20 Nov 2026: a colleague is reviewing it now."
)
REJECTED = (
    "• #9 VAT 22% (6.58 EUR) on invoice INV-100002-202609, opened 5 Oct 2026: closed on"
    " 12 Oct 2026: we checked the charge and it stands."
)


def asked(text: str, slots: dict[str, Any] = MARKO_SLOTS, amount: str | None = None) -> Any:
    entities = [{"entity": "amount", "value": amount}] if amount else []
    return make_tracker(text, "ask_dispute_status", entities, slots)


async def test_marko_hears_where_each_dispute_stands(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionTellDisputeStatus(backend.client()), asked("any news on my dispute?")
    )
    assert said == [
        (f"Your disputes, newest first:\n{IN_REVIEW}\n{REJECTED}", []),
        (DISAGREE, []),
    ]
    assert events == []
    assert [(s.method, s.route) for s in backend.sent()] == [("GET", "/disputes")]


async def test_the_dispute_about_a_named_amount_is_the_one_told(backend: FakeBackend) -> None:
    tracker = asked("what happened with my complaint about the 9.99 charge", amount="9.99")
    events, said = await run_action(ActionTellDisputeStatus(backend.client()), tracker)
    assert said == [(f"Your dispute:\n{IN_REVIEW}", [])]
    assert events == []


async def test_an_amount_without_a_dispute_is_said_and_the_others_listed(
    backend: FakeBackend,
) -> None:
    tracker = asked("is my complaint about the 4,50 charge sorted", amount="4,50")
    _, said = await run_action(ActionTellDisputeStatus(backend.client()), tracker)
    assert said[0] == ("I don't see a dispute about a 4.50 EUR charge. Here are yours:", [])
    assert said[1] == (f"Your disputes, newest first:\n{IN_REVIEW}\n{REJECTED}", [])


async def test_no_disputes_is_said_with_an_offer_to_open_one(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionTellDisputeStatus(backend.client()), asked("status of my dispute", VERIFIED_SLOTS)
    )
    assert said == [(NO_DISPUTES, OPEN_ONE_BUTTONS)]
    assert OPEN_ONE_BUTTONS[0]["payload"] == "/dispute_charge"
    assert events == []


async def test_a_dispute_opened_in_the_chat_shows_as_open(backend: FakeBackend) -> None:
    operation = "dispute|INV-100001-202610:102|customer disputes the 4.50 charge in chat"
    tracker = make_tracker(
        "yes", "affirm", slots={**VERIFIED_SLOTS, "pending_operation": operation}
    )
    await run_action(ActionExecutePendingOperation(backend.client()), tracker)
    _, said = await run_action(
        ActionTellDisputeStatus(backend.client()), asked("and my dispute?", VERIFIED_SLOTS)
    )
    assert said == [
        (
            "Your dispute:\n• #12 Extra data, 3 GB (4.50 EUR) on invoice INV-100001-202610,"
            " opened 27 Nov 2026: open, waiting for a colleague to look at it.",
            [],
        )
    ]


async def test_asked_before_verification_it_is_answered_right_after(backend: FakeBackend) -> None:
    question = {"text": "any update on my complaint", "intent": {"name": "ask_dispute_status"}}
    events = [
        {"event": "user", "text": "any update on my complaint", "parse_data": question},
        {"event": "user", "text": "100002", "parse_data": {"intent": {"name": "inform"}}},
    ]
    tracker = make_tracker("2000", "provide_verification_info", slots=MARKO_SLOTS, events=events)
    answered, said = await run_action(ActionAnswerPendingRequest(backend.client()), tracker)
    assert said[:2] == [
        ("Thanks Marko, you're verified.", []),
        (f"Your disputes, newest first:\n{IN_REVIEW}\n{REJECTED}", []),
    ]
    assert answered == []


@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_gives_one_clear_sentence(failure: dict[str, Any]) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, **failure)
    events, said = await run_action(
        ActionTellDisputeStatus(backend.client()), asked("any news on my dispute?")
    )
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []


async def test_a_conversation_no_longer_verified_is_asked_to_verify_again() -> None:
    backend = FakeBackend()  # the back end forgot this conversation's verification
    events, said = await run_action(
        ActionTellDisputeStatus(backend.client()), asked("any news on my dispute?")
    )
    assert said == [
        (
            "For your security I need to confirm who you are again. Just ask your question once"
            " more.",
            [],
        )
    ]
    assert SlotSet("verified", False) in events
