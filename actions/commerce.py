"""Discounts within policy, plan recommendations, payment links (rules live in the back end)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.account import AccountAction
from actions.answers import CustomerRequest
from actions.base import offer_person
from actions.billing_client import JSON, Refused
from actions.formatting import day, money
from actions.keys import idempotency_key
from actions.operations import Operation, cancellation_terms, propose
from actions.speech import plural, say, text


class ActionMakeOffer(AccountAction):
    """A discount request or cancellation: the best offer the policy allows, or an honest no."""

    def name(self) -> str:
        return "action_make_offer"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        trigger = "cancellation" if request.intent == "cancel_service" else "discount_request"
        account = self.account(tracker)
        key = idempotency_key(tracker, f"offer:{trigger}")
        decision = await self.client.post(
            tracker.sender_id, account, "/offers", {"trigger": trigger}, key
        )
        kind = decision["decision"]
        if kind == "offer":
            return propose(
                dispatcher,
                offer_text(decision["offer"], trigger),
                Operation("offer", str(decision["offer"]["id"]), trigger),
            )
        if kind == "needs_human":
            return offer_person(dispatcher, "offer.needs_approval", "beyond_authority")
        if trigger == "cancellation":
            return await cancellation_terms(self.client, dispatcher, tracker, account)
        say(dispatcher, "offer.none")
        return []


def offer_text(offer: JSON, trigger: str) -> str:
    """The offer in words; before a cancellation it asks the customer to weigh it first."""
    currency = offer.get("currency", "EUR")
    key = "offer.before_cancelling" if trigger == "cancellation" else "offer.qualify"
    return plural(
        key,
        int(offer["months"]),
        name=offer["name"],
        percent=offer["percent"],
        monthly=money(offer["monthly_amount"], currency),
        total=money(offer["total_amount"], currency),
    )


class ActionRecommendPlan(AccountAction):
    def name(self) -> str:
        return "action_recommend_plan"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        account = self.account(tracker)
        options = await self.client.get(tracker.sender_id, account, "/plan-options")
        usage = ", ".join(
            text("plan.usage_month", month=u["month"], gb=u["used_gb"]) for u in options["usage"]
        )
        if usage:
            say(dispatcher, "plan.usage", usage=usage)
        contract = options.get("contract") or {}
        terms = ""
        if contract.get("end_date"):
            terms = " " + text("plan.contract_terms", end=day(contract["end_date"]))
        recommended = options.get("recommended_plan")
        if options.get("already_best") or not recommended:
            dispatcher.utter_message(text=f"{options['summary']}{terms}")
            return []
        dispatcher.utter_message(
            text=text(
                "plan.recommended",
                name=recommended["name"],
                price=money(recommended["monthly_price"], recommended["currency"]),
                saving=money(options["monthly_saving"], recommended["currency"]),
            )
            + terms
        )
        quote = await self.client.post(
            tracker.sender_id, account, "/plan-changes/quote", {"plan_code": recommended["code"]},
            idempotency_key(tracker, "plan-quote"),
        )  # fmt: skip
        say(dispatcher, "plan.if_you_switch", changes="\n".join(f"• {c}" for c in quote["changes"]))
        return propose(
            dispatcher,
            text("plan.switch_question", name=recommended["name"]),
            Operation("plan", recommended["code"]),
        )


class ActionSendPaymentLink(AccountAction):
    def name(self) -> str:
        return "action_send_payment_link"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        key = idempotency_key(tracker, "payment-link")
        try:
            link = await self.client.post(
                tracker.sender_id, self.account(tracker), "/payment-links", {}, key
            )
        except Refused as refusal:
            if refusal.code != "nothing_owed":
                raise
            say(dispatcher, "payment_link.nothing_owed")
            return []
        say(
            dispatcher,
            "payment_link.here",
            amount=money(link["amount"], link["currency"]),
            url=link["url"],
            expires=day(link["expires_at"]),
        )
        return []
