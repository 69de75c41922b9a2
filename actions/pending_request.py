"""After the identity check: answer what the customer asked before it, or say why not."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.account import (
    LOCKED,
    AccountAction,
    ActionExplainInvoice,
    ActionListPayments,
    ActionTellBalance,
)
from actions.answers import CustomerRequest
from actions.arrangements import ActionOfferPaymentArrangement
from actions.base import BACKEND_DOWN, DomainDict, offer_human_buttons
from actions.commerce import ActionMakeOffer, ActionRecommendPlan, ActionSendPaymentLink
from actions.disputes import ActionTellDisputeStatus
from actions.insight import ActionExplainBillChange, ActionExplainCharge, ActionReviewAccount
from actions.intents import ACCOUNT_INTENTS
from actions.preferences import ActionChangeBillingPreferences
from actions.speech import say

_ANSWERING: tuple[type[AccountAction], ...] = (
    ActionTellBalance,
    ActionExplainInvoice,
    ActionExplainCharge,
    ActionExplainBillChange,
    ActionListPayments,
    ActionReviewAccount,
    ActionMakeOffer,
    ActionRecommendPlan,
    ActionSendPaymentLink,
    ActionOfferPaymentArrangement,
    ActionChangeBillingPreferences,
    ActionTellDisputeStatus,
)
_BY_NAME = {action_class().name(): action_class for action_class in _ANSWERING}
# An account intent whose action is missing above fails here, at import.
ACTION_FOR_INTENT: dict[str, type[AccountAction]] = {
    intent.name: _BY_NAME[intent.action] for intent in ACCOUNT_INTENTS
}


class ActionAnswerPendingRequest(AccountAction):
    def name(self) -> str:
        return "action_answer_pending_request"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(names.VERIFIED):
            return await self.respond(dispatcher, tracker, pending_request(tracker))
        forget_attempt = [SlotSet(names.IDENTITY_CHECK, None), SlotSet(names.ACCOUNT_NUMBER, None)]
        if tracker.get_slot(names.IDENTITY_CHECK) == names.CHECK_LOCKED:
            say(dispatcher, LOCKED, buttons=offer_human_buttons())
            return [*forget_attempt, SlotSet(names.VERIFICATION_LOCKED, True)]
        say(dispatcher, BACKEND_DOWN, buttons=offer_human_buttons())
        return forget_attempt

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest | None
    ) -> list[EventType]:
        name = tracker.get_slot(names.CUSTOMER_FIRST_NAME)
        action_class = ACTION_FOR_INTENT.get(request.intent) if request else None
        if request is None or action_class is None:
            say(
                dispatcher,
                "verification.passed_ask" if name else "verification.passed_ask_anon",
                name=name,
            )
            return []
        say(dispatcher, "verification.passed" if name else "verification.passed_anon", name=name)
        action = action_class(self._client)
        action.today = self.today  # type: ignore[method-assign]
        return await action.respond(dispatcher, tracker, request)


def pending_request(tracker: Tracker) -> CustomerRequest | None:
    """The latest account question the customer asked in this session, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if event.get("event") == "user":
            message = {"text": event.get("text"), **(event.get("parse_data") or {})}
            request = CustomerRequest.from_message(message)
            if request.intent in ACTION_FOR_INTENT:
                return request
    return None
