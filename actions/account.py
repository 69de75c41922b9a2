"""Actions that answer questions about a verified account, and the answer after verification."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.answers import Answerer, CustomerRequest
from actions.base import BillingAction, DomainDict

LOCKED = "verification.locked"


class AccountAction(BillingAction, ABC):
    """An answer about the verified account to one customer request."""

    def today(self) -> date:
        return date.today()

    def answerer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Answerer:
        return Answerer.for_tracker(self.client, dispatcher, tracker, self.today())

    def account(self, tracker: Tracker) -> str:
        return str(tracker.get_slot(names.VERIFIED_ACCOUNT_NUMBER) or "")

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await self.respond(
            dispatcher, tracker, CustomerRequest.from_message(tracker.latest_message)
        )

    @abstractmethod
    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]: ...


class ActionTellBalance(AccountAction):
    def name(self) -> str:
        return "action_tell_balance"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        await self.answerer(dispatcher, tracker).balance(
            due_date_first=request.intent == "ask_due_date"
        )
        return []


class ActionExplainInvoice(AccountAction):
    def name(self) -> str:
        return "action_explain_invoice"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        await self.answerer(dispatcher, tracker).invoice(request)
        return []


class ActionListPayments(AccountAction):
    def name(self) -> str:
        return "action_list_payments"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        await self.answerer(dispatcher, tracker).payments()
        return []
