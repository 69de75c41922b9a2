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
            return offer_person(
                dispatcher,
                "A better offer for your account needs a colleague's approval.",
                "beyond_authority",
            )
        if trigger == "cancellation":
            return await cancellation_terms(self.client, dispatcher, tracker, account)
        dispatcher.utter_message(
            text="I've checked your account, but I can't offer a discount right now."
            " I can look for a cheaper plan that fits your usage: just ask me about plans."
        )
        return []


def offer_text(offer: JSON, trigger: str) -> str:
    """The offer in words; before a cancellation it asks the customer to weigh it first."""
    currency = offer.get("currency", "EUR")
    lead = "Before you decide: I can offer you" if trigger == "cancellation" else "You qualify for"
    return (
        f"{lead} our {offer['name']}, {offer['percent']}% off your plan"
        f" for {offer['months']} months. That saves you {money(offer['monthly_amount'], currency)}"
        f" a month, {money(offer['total_amount'], currency)} in total. Would you like it?"
    )


class ActionRecommendPlan(AccountAction):
    def name(self) -> str:
        return "action_recommend_plan"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        account = self.account(tracker)
        options = await self.client.get(tracker.sender_id, account, "/plan-options")
        usage = ", ".join(f"{u['month']}: {u['used_gb']} GB" for u in options["usage"])
        if usage:
            dispatcher.utter_message(text=f"Your data use over the last three months: {usage}.")
        contract = options.get("contract") or {}
        terms = ""
        if contract.get("end_date"):
            terms = (
                f" Your contract runs until {day(contract['end_date'])}; a plan change keeps it."
            )
        recommended = options.get("recommended_plan")
        if options.get("already_best") or not recommended:
            dispatcher.utter_message(text=f"{options['summary']}{terms}")
            return []
        dispatcher.utter_message(
            text=f"The cheapest plan that fits is {recommended['name']} at"
            f" {money(recommended['monthly_price'], recommended['currency'])} a month: you'd save"
            f" {money(options['monthly_saving'], recommended['currency'])} a month.{terms}"
        )
        quote = await self.client.post(
            tracker.sender_id, account, "/plan-changes/quote", {"plan_code": recommended["code"]},
            idempotency_key(tracker, "plan-quote"),
        )  # fmt: skip
        dispatcher.utter_message(
            text="If you switch now:\n" + "\n".join(f"• {c}" for c in quote["changes"])
        )
        return propose(
            dispatcher,
            f"Shall I switch you to {recommended['name']}?",
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
            dispatcher.utter_message(
                text="You don't owe anything at the moment, so there's nothing to pay."
            )
            return []
        dispatcher.utter_message(
            text=f"Here's your secure payment link for {money(link['amount'], link['currency'])}:"
            f" {link['url']} (valid until {day(link['expires_at'])})."
            " Please never type card numbers in this chat."
        )
        return []
