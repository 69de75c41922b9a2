from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.operations import (
    ActionDeclinePendingOperation,
    ActionExecutePendingOperation,
    Operation,
    cancellation_terms,
    propose,
)
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
from tests.actions.english import BACKEND_DOWN, HANDOFF_QUESTION, OFFER_HUMAN_BUTTONS, STEP_UP_AGAIN
from tests.actions.fake_backend import FakeBackend

CODE_PASSED = code_passed("m***@example.com")
MARKO_CREDITED = (
    "Done: I've credited 12.19 EUR to your account for invoice INV-100002-202610."
    " Your balance is now 36.46 EUR."
)


def confirmed(slots: dict[str, Any], operation: str, **extra: Any) -> Any:
    """The tracker after the customer said yes (and, unless told otherwise, passed the code)."""
    values = {
        **slots,
        **CODE_PASSED,
        "pending_operation": operation,
        "awaiting_confirmation": True,
        **extra,
    }
    return make_tracker("yes", "affirm", slots=values)


def stepped_up_backend(*conversations: str) -> FakeBackend:
    verified = set(conversations) or {"conv-1"}
    return FakeBackend(verified_conversations=verified, stepped_up=set(verified))


# -- proposals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        Operation("credit", "17"),
        Operation("offer", "41", "cancellation"),
        Operation("plan", "fiber-100"),
        Operation("cancel"),
        Operation("dispute", "INV-100001-202610:102", "customer disputes the 4.50 charge in chat"),
    ],
)
def test_an_operation_survives_the_slot(operation: Operation) -> None:
    assert Operation.decode(operation.encode()) == operation


@pytest.mark.parametrize("text", [None, "", "refund|1|", "credit|17", "credit|17||x"])
def test_anything_else_in_the_slot_is_no_operation(text: str | None) -> None:
    assert Operation.decode(text) is None


def test_only_a_dispute_goes_ahead_without_a_code() -> None:
    kinds = ("credit", "offer", "plan", "cancel", "dispute")
    assert [Operation(kind).needs_step_up for kind in kinds] == [True, True, True, True, False]


def test_a_proposal_asks_yes_or_no_and_remembers_the_operation() -> None:
    dispatcher = CollectingDispatcher()
    events = propose(dispatcher, "Shall I?", Operation("credit", "17"))
    assert [(m["text"], m["buttons"]) for m in dispatcher.messages] == [("Shall I?", YES_NO)]
    assert events == [
        SlotSet("pending_operation", "credit|17|"),
        SlotSet("awaiting_confirmation", True),
    ]


# -- carrying out -----------------------------------------------------------------------------


async def test_marko_is_credited_the_duplicate_once_with_a_key_per_operation() -> None:
    backend = stepped_up_backend()
    tracker = confirmed(MARKO_SLOTS, "credit|17|")
    events, said = await run_action(ActionExecutePendingOperation(backend.client()), tracker)
    assert said == [(MARKO_CREDITED, [])]
    assert events == SETTLED
    [sent] = backend.writes()
    assert (sent.path, sent.body) == ("/api/v1/accounts/100002/findings/17/credit", {})
    assert sent.key == expected_key("conv-1", "credit|17|")


async def test_a_retried_credit_carries_the_same_key_and_is_answered_not_repeated() -> None:
    backend = stepped_up_backend()
    tracker = confirmed(MARKO_SLOTS, "credit|17|")
    action = ActionExecutePendingOperation(backend.client())
    first = await run_action(action, tracker)
    again = await run_action(action, tracker)
    assert again == first == (SETTLED, [(MARKO_CREDITED, [])])
    keys = [sent.key for sent in backend.writes()]
    assert keys == [expected_key("conv-1", "credit|17|")] * 2
    assert backend.balances[fake_data.MARKO] == "36.46"  # credited once


async def test_a_credit_with_another_key_is_refused_as_already_credited() -> None:
    backend = stepped_up_backend("conv-1", "conv-2")
    action = ActionExecutePendingOperation(backend.client())
    await run_action(action, confirmed(MARKO_SLOTS, "credit|17|"))
    other_chat = make_tracker(
        "yes",
        "affirm",
        slots={**MARKO_SLOTS, **CODE_PASSED, "pending_operation": "credit|17|"},
        sender_id="conv-2",
    )
    events, said = await run_action(action, other_chat)
    assert said == [("That was already credited to your account, so nothing more was needed.", [])]
    assert events == SETTLED
    first, second = backend.writes()
    assert first.key != second.key
    assert backend.balances[fake_data.MARKO] == "36.46"


async def test_a_credit_beyond_the_bot_s_authority_goes_to_a_colleague() -> None:
    backend = stepped_up_backend()
    backend.refusals["/findings/17/credit"] = "beyond_authority"
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), confirmed(MARKO_SLOTS, "credit|17|")
    )
    assert said == [
        (f"That's more than I'm allowed to do myself. {HANDOFF_QUESTION}", OFFER_HUMAN_BUTTONS)
    ]
    assert events == [*SETTLED, SlotSet("handoff_reason", "beyond_authority|17")]


async def test_eva_accepts_the_loyalty_discount() -> None:
    backend = stepped_up_backend()
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()),
        confirmed(EVA_SLOTS, "offer|41|cancellation"),
    )
    assert said == [("Done: 15% off, 8.99 EUR a month, from 1 Dec 2026 to 30 Nov 2027.", [])]
    assert events == SETTLED
    assert [(s.route, s.key) for s in backend.writes()] == [
        ("/offers/41/accept", expected_key("conv-1", "offer|41|cancellation"))
    ]


async def test_an_offer_answered_already_is_no_longer_available() -> None:
    backend = stepped_up_backend()
    backend.offers[fake_data.EVA]["status"] = "declined"
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()),
        confirmed(EVA_SLOTS, "offer|41|cancellation"),
    )
    assert said == [
        ("That offer is no longer available. Ask me again and I'll check what I can do.", [])
    ]
    assert events == SETTLED


async def test_ana_switches_plan() -> None:
    backend = stepped_up_backend()
    backend.plan_options[fake_data.ANA] = fake_data.ANA_LIGHT_USE
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()),
        confirmed(VERIFIED_SLOTS, "plan|fiber-100|"),
    )
    assert said == [("Done: you're on Fiber 100 from 27 Nov 2026, 29.90 EUR a month.", [])]
    assert events == SETTLED
    assert [(s.route, s.body) for s in backend.writes()] == [
        ("/plan-changes", {"plan_code": "fiber-100"})
    ]


async def test_eva_cancellation_is_recorded_and_a_second_one_is_already_pending() -> None:
    backend = stepped_up_backend("conv-1", "conv-2")
    action = ActionExecutePendingOperation(backend.client())
    events, said = await run_action(action, confirmed(EVA_SLOTS, "cancel||"))
    assert said == [
        (
            "Your cancellation request is recorded: your service ends on 27 Dec 2026."
            " We'll confirm it by email.",
            [],
        )
    ]
    assert events == SETTLED
    assert backend.writes()[0].body == {"reason": "requested in chat"}

    other_chat = make_tracker(
        "yes",
        "affirm",
        slots={**EVA_SLOTS, **CODE_PASSED, "pending_operation": "cancel||"},
        sender_id="conv-2",
    )
    _, said = await run_action(action, other_chat)
    assert said == [("There's already a request like this on your account.", [])]


async def test_a_dispute_is_opened_without_a_one_time_code(backend: FakeBackend) -> None:
    operation = "dispute|INV-100001-202610:102|customer disputes the 4.50 charge in chat"
    tracker = make_tracker(
        "yes", "affirm", slots={**VERIFIED_SLOTS, "pending_operation": operation}
    )
    events, said = await run_action(ActionExecutePendingOperation(backend.client()), tracker)
    assert said == [
        (
            "I've opened dispute #12 on 'Extra data, 3 GB' (4.50 EUR). A colleague will review it.",
            [],
        )
    ]
    assert events == SETTLED
    [sent] = backend.writes()
    assert (sent.route, sent.body) == (
        "/disputes",
        {
            "invoice_number": "INV-100001-202610",
            "line_id": 102,
            "reason": "customer disputes the 4.50 charge in chat",
        },
    )


@pytest.mark.parametrize("outcome", ["failed", "unavailable"])
async def test_no_confirmed_code_means_nothing_changes_and_nothing_is_sent(outcome: str) -> None:
    backend = stepped_up_backend()
    tracker = confirmed(MARKO_SLOTS, "credit|17|", step_up_code=outcome, stepped_up=False)
    events, said = await run_action(ActionExecutePendingOperation(backend.client()), tracker)
    assert said == [
        ("I couldn't confirm the one-time code, so nothing has changed.", OFFER_HUMAN_BUTTONS)
    ]
    assert events == SETTLED
    assert backend.requests == []


async def test_a_step_up_the_back_end_no_longer_has_asks_for_a_new_code() -> None:
    backend = FakeBackend(verified_conversations={"conv-1"})  # the step-up expired there
    tracker = confirmed(MARKO_SLOTS, "credit|17|")
    events, said = await run_action(ActionExecutePendingOperation(backend.client()), tracker)
    assert said == [(STEP_UP_AGAIN, YES_NO)]
    assert events == [
        SlotSet("stepped_up", False),
        SlotSet("awaiting_confirmation", True),  # the proposal stands: a yes asks for a new code
        SlotSet("step_up_channel", None),  # so the next yes asks for a new code
        SlotSet("step_up_code", None),
    ]
    assert backend.balances[fake_data.MARKO] == "48.65"


async def test_nothing_pending_is_said_so(backend: FakeBackend) -> None:
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()),
        make_tracker("yes", "affirm", slots=VERIFIED_SLOTS),
    )
    assert said == [("There's nothing waiting for your confirmation.", [])]
    assert events == SETTLED
    assert backend.requests == []


# -- declining --------------------------------------------------------------------------------


async def test_declining_the_offer_before_cancelling_leads_to_the_cancellation_terms(
    backend: FakeBackend,
) -> None:
    tracker = make_tracker(
        "no thanks",
        "deny",
        slots={**EVA_SLOTS, "pending_operation": "offer|41|cancellation"},
    )
    events, said = await run_action(ActionDeclinePendingOperation(backend.client()), tracker)
    assert said == [
        (
            "If you cancel now, your service ends on 27 Dec 2026 (30 days' notice)."
            " No early-termination fee applies.",
            [],
        ),
        ("Do you want me to record your cancellation request?", YES_NO),
    ]
    assert events == [
        *SETTLED,
        SlotSet("pending_operation", "cancel||"),
        SlotSet("awaiting_confirmation", True),
    ]
    decline = backend.sent()[0]
    assert (decline.method, decline.route, decline.body) == ("POST", "/offers/41/decline", {})
    assert decline.key == expected_key("conv-1", "decline|offer|41|cancellation")
    assert backend.offers[fake_data.EVA]["status"] == "declined"


async def test_declining_a_discount_offer_closes_it(backend: FakeBackend) -> None:
    tracker = make_tracker(
        "no", "deny", slots={**EVA_SLOTS, "pending_operation": "offer|41|discount_request"}
    )
    events, said = await run_action(ActionDeclinePendingOperation(backend.client()), tracker)
    assert said == [("Okay, no discount then. Is there anything else I can do?", [])]
    assert events == SETTLED
    assert [s.route for s in backend.writes()] == ["/offers/41/decline"]


@pytest.mark.parametrize("pending", ["credit|17|", "plan|fiber-100|", "cancel||", None])
async def test_declining_anything_else_changes_nothing(backend: FakeBackend, pending: str) -> None:
    tracker = make_tracker("no", "deny", slots={**MARKO_SLOTS, "pending_operation": pending})
    events, said = await run_action(ActionDeclinePendingOperation(backend.client()), tracker)
    assert said == [("Okay, I haven't changed anything.", [])]
    assert events == SETTLED
    assert backend.requests == []


async def test_a_cancellation_already_recorded_is_not_proposed_again(
    backend: FakeBackend,
) -> None:
    backend.terms[fake_data.EVA]["pending_request"] = {"id": 7, "status": "requested"}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("cancel", "cancel_service", slots=EVA_SLOTS)
    events = await cancellation_terms(backend.client(), dispatcher, tracker, fake_data.EVA)
    assert [m["text"] for m in dispatcher.messages] == [
        "A cancellation request is already recorded on your account."
    ]
    assert events == SETTLED


# -- the back end is down ---------------------------------------------------------------------


@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_while_carrying_out_gives_one_clear_sentence(
    failure: dict[str, Any],
) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, **failure)
    events, said = await run_action(
        ActionExecutePendingOperation(backend.client()), confirmed(MARKO_SLOTS, "credit|17|")
    )
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []  # the proposal stays: a later yes retries with the same key
    assert len(backend.requests) == 1  # a write is never retried by the client


@pytest.mark.parametrize("failure", [{"down": True}, {"status": 500}, {"status": 503}])
async def test_back_end_down_while_declining_gives_one_clear_sentence(
    failure: dict[str, Any],
) -> None:
    backend = FakeBackend(verified_conversations={"conv-1"}, **failure)
    tracker = make_tracker(
        "no", "deny", slots={**EVA_SLOTS, "pending_operation": "offer|41|cancellation"}
    )
    events, said = await run_action(ActionDeclinePendingOperation(backend.client()), tracker)
    assert said == [(BACKEND_DOWN, OFFER_HUMAN_BUTTONS)]
    assert events == []
