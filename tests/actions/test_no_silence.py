"""No silence and no escaped exception, whatever the back end answers.

Every action that calls the back end runs once against the fake back end to learn how many
requests its happy path makes; then, for each of those requests and each kind of bad answer
(422, 409 credit_exceeds_invoice, 403 authority_used_up / not_your_ticket, 429, 400, 500, a
timeout, a 200 of the wrong shape), the back end starts answering badly from that request on. The
action must return events rasa-sdk accepts, the customer must hear something (forms: the form
must move on), and no log record may hold what the customer typed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.account import ActionExplainInvoice, ActionListPayments, ActionTellBalance
from actions.arrangements import ActionOfferPaymentArrangement
from actions.billing_client import BillingClient
from actions.commerce import ActionMakeOffer, ActionRecommendPlan, ActionSendPaymentLink
from actions.disputes import ActionTellDisputeStatus
from actions.handoff import (
    ActionAnswerBareYesNo,
    ActionBookCallback,
    ActionCarryOnWithBot,
    ActionEndOpenHandoff,
    ActionHandleFallback,
    ActionHandOff,
    ActionWaitForAgent,
)
from actions.insight import ActionExplainBillChange, ActionExplainCharge, ActionReviewAccount
from actions.operations import ActionDeclinePendingOperation, ActionExecutePendingOperation
from actions.pending_request import ActionAnswerPendingRequest
from actions.preferences import ActionChangeBillingPreferences
from actions.session import ActionSessionStart
from actions.settings import ClientSettings
from actions.step_up import ActionAskStepUpChannel, ValidateStepUpForm
from actions.verification import ValidateVerificationForm
from tests.actions.conftest import (
    EVA_SLOTS,
    MARKO_SLOTS,
    VERIFIED_SLOTS,
    code_passed,
    make_tracker,
    run_action,
)
from tests.actions.fake_backend import FakeBackend

DOMAIN: dict[str, Any] = {
    "forms": {
        "verification_form": {
            "required_slots": ["account_number", "identity_check", "invoice_amount_check"]
        },
        "step_up_form": {"required_slots": ["step_up_channel", "step_up_code"]},
    }
}
TICKET = {
    "ticket_id": 12,
    "status": "queued",
    "position": 2,
    "estimated_wait_seconds": 130,
    "agents_on_duty": 2,
    "open_now": True,
    "callback_offered": False,
    "callback_windows": [],
}
WINDOW = {"start": "2026-11-27T13:00:00Z", "end": "2026-11-27T15:00:00Z", "label": "today 14-16"}
CONVERSATIONS = {"conv-1"}


def error(status: int, code: str, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": code, **extra}})


Failure = Callable[[httpx.Request], httpx.Response]


def raising(exc: type[httpx.TransportError]) -> Failure:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc("no answer", request=request)

    return fail


FAILURES: dict[str, Failure] = {
    "422 invalid_request": lambda _: error(422, "invalid_request"),
    "409 credit_exceeds_invoice": lambda _: error(409, "credit_exceeds_invoice", remaining="0.00"),
    "403 authority_used_up": lambda _: error(403, "authority_used_up", remaining="0.00"),
    "403 not_your_ticket": lambda _: error(403, "not_your_ticket"),
    "429 too_many_requests": lambda _: error(429, "too_many_requests"),
    "400 without a body": lambda _: httpx.Response(400),
    "500 internal_error": lambda _: error(500, "internal_error"),
    "timeout": raising(httpx.ReadTimeout),
    "200 of the wrong shape": lambda _: httpx.Response(200, json={}),
}


@dataclass
class Breaking:
    """The fake back end (and the desk's handoff routes) until request number `at` (from 0);
    from then on every request gets `failure`."""

    backend: FakeBackend
    failure: Failure | None = None
    at: int = 0
    count: int = 0
    seen: list[str] = field(default_factory=list)

    def client(self) -> BillingClient:
        settings = ClientSettings(backend_url="http://backend.test")
        return BillingClient(settings, transport=httpx.MockTransport(self))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        index, self.count = self.count, self.count + 1
        self.seen.append(f"{request.method} {request.url.path}")
        if self.failure is not None and index >= self.at:
            return self.failure(request)
        path = request.url.path
        if path == "/api/v1/handoffs":
            return httpx.Response(201, json=TICKET)
        if path.endswith("/callback"):
            return httpx.Response(200, json={**TICKET, "callback_window": WINDOW})
        if path.endswith("/withdraw"):
            return httpx.Response(200, json={**TICKET, "status": "withdrawn"})
        return self.backend(request)


@dataclass(frozen=True)
class Scenario:
    """An action, the conversation it answers and the back end's state for its happy path."""

    make: Callable[[BillingClient], Action]
    tracker: Callable[[], Tracker]
    backend: Callable[[], FakeBackend] = lambda: FakeBackend(verified_conversations=CONVERSATIONS)
    silent: bool = False  # says nothing by design (session start, withdrawing after a goodbye)
    form: bool = False  # a form's validation: moving the form on is an answer too


def stepped_up() -> FakeBackend:
    return FakeBackend(verified_conversations=CONVERSATIONS, stepped_up=set(CONVERSATIONS))


def verified(text: str, intent: str, slots: dict[str, Any] = VERIFIED_SLOTS, **kw: Any) -> Any:
    return lambda: make_tracker(text, intent, slots=slots, **kw)


def user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def pending(slots: dict[str, Any], operation: str, **extra: Any) -> dict[str, Any]:
    return {
        **slots,
        **code_passed("m***@example.com"),
        "pending_operation": operation,
        "awaiting_confirmation": True,
        **extra,
    }


def asking(slot: str, text: str, slots: dict[str, Any]) -> Callable[[], Tracker]:
    return lambda: make_tracker(
        text, "provide_verification_info", slots={**slots, "requested_slot": slot}
    )


SCENARIOS: dict[str, Scenario] = {
    "tell balance": Scenario(ActionTellBalance, verified("what do I owe", "ask_balance")),
    "explain the September invoice": Scenario(
        ActionExplainInvoice,
        verified(
            "explain my september bill please",
            "explain_bill",
            entities=[{"entity": "month", "value": "September"}],
        ),
    ),
    "list payments": Scenario(ActionListPayments, verified("what did I pay", "payment_history")),
    "explain the bill change": Scenario(
        ActionExplainBillChange, verified("why is my bill so high", "bill_higher_than_usual")
    ),
    "explain a charge": Scenario(
        ActionExplainCharge, verified("what is the roaming charge", "explain_charge")
    ),
    "review the account": Scenario(
        ActionReviewAccount, verified("this charge is wrong", "dispute_charge", MARKO_SLOTS)
    ),
    "offer a discount": Scenario(
        ActionMakeOffer, verified("can I get a discount", "request_discount", EVA_SLOTS)
    ),
    "cancellation terms": Scenario(
        ActionMakeOffer, verified("I want to cancel my contract", "cancel_service")
    ),
    "recommend a plan": Scenario(
        ActionRecommendPlan, verified("is there a cheaper plan", "change_plan")
    ),
    "payment link": Scenario(ActionSendPaymentLink, verified("I want to pay my bill", "pay_bill")),
    "payment arrangement": Scenario(
        ActionOfferPaymentArrangement,
        verified("can I split it into 3 payments", "ask_payment_arrangement"),
    ),
    "billing preferences": Scenario(
        ActionChangeBillingPreferences,
        verified("please turn off direct debit", "set_billing_preferences"),
    ),
    "dispute status": Scenario(
        ActionTellDisputeStatus, verified("where is my dispute", "ask_dispute_status")
    ),
    "the question asked before verification": Scenario(
        ActionAnswerPendingRequest,
        verified(
            "14 March 1985",
            "provide_verification_info",
            events=[user("what do I owe", "ask_balance"), user("x", "provide_verification_info")],
        ),
    ),
    "carry out a credit": Scenario(
        ActionExecutePendingOperation,
        verified("yes", "affirm", pending(MARKO_SLOTS, "credit|17|")),
        stepped_up,
    ),
    "carry out a cancellation": Scenario(
        ActionExecutePendingOperation,
        verified("yes", "affirm", pending(EVA_SLOTS, "cancel||")),
        stepped_up,
    ),
    "decline an offer before cancelling": Scenario(
        ActionDeclinePendingOperation,
        verified("no thanks", "deny", {**EVA_SLOTS, "pending_operation": "offer|41|cancellation"}),
    ),
    "hand off": Scenario(ActionHandOff, verified("a person please", "talk_to_human")),
    "second fallback in a row": Scenario(
        ActionHandleFallback,
        verified(
            "zzz",
            "nlu_fallback",
            events=[user("blorp", "nlu_fallback"), user("zzz", "nlu_fallback")],
        ),
    ),
    "wait for an agent": Scenario(
        ActionWaitForAgent, verified("I'll wait", "wait_for_agent", {"handoff_ticket": 12.0})
    ),
    "book a callback": Scenario(
        ActionBookCallback,
        verified(
            "today 14-16 please",
            "choose_callback",
            {"handoff_ticket": 12.0},
            entities=[{"entity": "callback_window", "value": WINDOW["start"]}],
        ),
    ),
    "carry on with the bot": Scenario(
        ActionCarryOnWithBot, verified("carry on", "continue_with_bot", {"handoff_ticket": 12.0})
    ),
    "yes to a person": Scenario(
        ActionAnswerBareYesNo, verified("yes", "affirm", {"handoff_reason": "customer_request"})
    ),
    "withdraw after a goodbye": Scenario(
        ActionEndOpenHandoff, verified("bye", "goodbye", {"handoff_ticket": 12.0}), silent=True
    ),
    "session start": Scenario(ActionSessionStart, verified("hi", "greet"), silent=True),
    "ask where to send the code": Scenario(
        ActionAskStepUpChannel, verified("yes", "affirm", pending(MARKO_SLOTS, "credit|17|"))
    ),
    "send the code": Scenario(
        ValidateStepUpForm,
        asking(
            "step_up_channel",
            "by email please",
            {
                **pending(MARKO_SLOTS, "credit|17|"),
                "stepped_up": False,
                "step_up_channel": None,
                "step_up_code": None,
            },
        ),
        form=True,
    ),
    "check the code": Scenario(
        ValidateStepUpForm,
        asking(
            "step_up_code",
            "123 456",
            {**pending(MARKO_SLOTS, "credit|17|"), "stepped_up": False, "step_up_code": None},
        ),
        form=True,
    ),
    "check a date of birth": Scenario(
        ValidateVerificationForm,
        asking("identity_check", "born 14.3.1985", {"account_number": "100001"}),
        form=True,
    ),
    "hold a postcode": Scenario(
        ValidateVerificationForm,
        asking("identity_check", "1000", {"account_number": "100001"}),
        form=True,
    ),
    "check the invoice amount": Scenario(
        ValidateVerificationForm,
        asking(
            "invoice_amount_check",
            "54.17",
            {"account_number": "100001", "identity_check": "postcode_held"},
        ),
        form=True,
    ),
}


async def play(
    scenario: Scenario, failure: Failure | None = None, at: int = 0
) -> tuple[Breaking, list[dict[str, Any]], list[dict[str, Any]], Tracker]:
    breaking = Breaking(scenario.backend(), failure, at)
    action = scenario.make(breaking.client())
    tracker = scenario.tracker()
    if scenario.form:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, DOMAIN)
        return breaking, events, dispatcher.messages, tracker
    events, said = await run_action(action, tracker, DOMAIN)
    return breaking, events, [{"text": text} for text, _ in said], tracker


@pytest.mark.parametrize("name", SCENARIOS)
async def test_each_scenario_calls_the_back_end_and_answers(name: str) -> None:
    scenario = SCENARIOS[name]
    breaking, events, said, _ = await play(scenario)
    assert breaking.count >= 1, "the scenario must reach the back end"
    assert said or scenario.silent or (scenario.form and events)


def answered(scenario: Scenario, events: list[dict[str, Any]], said: list[dict[str, Any]]) -> bool:
    if scenario.silent:
        return True
    if said and all(message.get("text") for message in said):
        return True
    return scenario.form and bool(events)


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("name", SCENARIOS)
async def test_any_bad_answer_at_any_step_gets_the_customer_a_reply(
    name: str, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    scenario = SCENARIOS[name]
    happy, *_ = await play(scenario)
    caplog.set_level(logging.DEBUG)
    for at in range(happy.count):
        breaking, events, said, tracker = await play(scenario, FAILURES[failure], at)
        step = f"{name}: {failure} from request {at} ({breaking.seen[at]})"
        assert ActionExecutor.validate_events(events, scenario.make(breaking.client()).name()) == (
            events
        ), step
        assert answered(scenario, events, said), step
        text = tracker.latest_message["text"]
        if len(text) >= 8:
            logged = [json.dumps(r.__dict__, default=str) for r in caplog.records]
            assert not [line for line in logged if text in line], step
        if isinstance(scenario.make(breaking.client()), ActionSessionStart):
            assert events == [SessionStarted(), ActionExecuted("action_listen")], step
