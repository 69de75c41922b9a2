"""Actions that answer questions about a verified account."""

from __future__ import annotations

from abc import ABC
from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.answers import Answerer, CustomerRequest
from actions.base import BACKEND_DOWN, OFFER_HUMAN_BUTTONS, BillingAction, DomainDict

LOCKED = (
    "For your security, identity checks for this account are paused after too many attempts that "
    "didn't match. You can try again later, or a person from our billing team can help you now."
)


class AccountAction(BillingAction, ABC):
    """An answer about the verified account."""

    def today(self) -> date:
        return date.today()

    def answerer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Answerer:
        return Answerer.for_tracker(self.client, dispatcher, tracker, self.today())


class ActionTellBalance(AccountAction):
    def name(self) -> str:
        return "action_tell_balance"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = CustomerRequest.from_message(tracker.latest_message).intent
        await self.answerer(dispatcher, tracker).balance(due_date_first=intent == "ask_due_date")
        return []


class ActionExplainInvoice(AccountAction):
    def name(self) -> str:
        return "action_explain_invoice"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await self.answerer(dispatcher, tracker).invoice(
            CustomerRequest.from_message(tracker.latest_message)
        )
        return []


class ActionListPayments(AccountAction):
    def name(self) -> str:
        return "action_list_payments"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await self.answerer(dispatcher, tracker).payments()
        return []


class ActionAnswerPendingRequest(AccountAction):
    """After the identity check: answer what the customer asked before it, or say why not."""

    def name(self) -> str:
        return "action_answer_pending_request"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        outcome = tracker.get_slot(names.IDENTITY_CHECK)
        if tracker.get_slot(names.VERIFIED):
            name = tracker.get_slot(names.CUSTOMER_FIRST_NAME) or "there"
            request = pending_request(tracker)
            if request is None:
                dispatcher.utter_message(
                    text=f"Thanks {name}, you're verified. What would you like to know?"
                )
                return []
            dispatcher.utter_message(text=f"Thanks {name}, you're verified.")
            await self.answerer(dispatcher, tracker).answer(request)
            return []
        forget_attempt = [SlotSet(names.IDENTITY_CHECK, None), SlotSet(names.ACCOUNT_NUMBER, None)]
        if outcome == names.CHECK_LOCKED:
            dispatcher.utter_message(text=LOCKED, buttons=OFFER_HUMAN_BUTTONS)
            return [*forget_attempt, SlotSet(names.VERIFICATION_LOCKED, True)]
        dispatcher.utter_message(text=BACKEND_DOWN, buttons=OFFER_HUMAN_BUTTONS)
        return forget_attempt


def pending_request(tracker: Tracker) -> CustomerRequest | None:
    """The latest account question the customer asked in this session, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if event.get("event") == "user":
            request = CustomerRequest.from_message(event.get("parse_data") or {})
            if request.intent in names.ACCOUNT_INTENTS:
                return request
    return None
