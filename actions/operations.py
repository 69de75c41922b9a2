"""Changes that happen only after an explicit yes (and a one-time code where money moves).

An action proposes an `Operation` (`actions/proposals.py`, kept in the `pending_operation` slot)
and asks; on yes the step-up form runs, then `action_execute_pending_operation` carries it out with
an idempotency key derived from the conversation and the operation, so a retry never credits or
changes twice.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.answers import CustomerRequest
from actions.arrangements import set_up_arrangement
from actions.base import OFFER_HUMAN_BUTTONS, BillingAction, DomainDict, offer_person
from actions.billing_client import JSON, BeyondAuthority, BillingClient, Refused
from actions.formatting import day, money
from actions.keys import operation_key
from actions.preferences import save_preferences
from actions.proposals import NOTHING_CHANGED, Operation, propose, settled


async def cancellation_terms(
    client: BillingClient, dispatcher: CollectingDispatcher, tracker: Tracker, account: str
) -> list[EventType]:
    """Explain what cancelling means now and ask whether to record the request."""
    terms = await client.get(tracker.sender_id, account, "/cancellation-terms")
    if terms.get("pending_request"):
        dispatcher.utter_message(text="A cancellation request is already recorded on your account.")
        return settled()
    currency = terms.get("currency", "EUR")
    text = f"If you cancel now, your service ends on {day(terms['effective_date'])}"
    text += f" ({terms['notice_days']} days' notice)."
    if terms.get("fee_applies"):
        text += (
            f" Your contract runs until {day(terms.get('contract_end_date'))},"
            " so an early-termination fee of"
            f" {money(terms['early_termination_fee'], currency)} applies."
        )
    else:
        text += " No early-termination fee applies."
    dispatcher.utter_message(text=text)
    return propose(
        dispatcher, "Do you want me to record your cancellation request?", Operation("cancel")
    )


class ActionExecutePendingOperation(BillingAction):
    def name(self) -> str:
        return "action_execute_pending_operation"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        operation = Operation.decode(tracker.get_slot(names.PENDING_OPERATION))
        if operation is None:
            dispatcher.utter_message(text="There's nothing waiting for your confirmation.")
            return settled()
        outcome = tracker.get_slot(names.STEP_UP_CODE)
        if operation.needs_step_up and outcome in (names.CHECK_FAILED, names.CHECK_UNAVAILABLE):
            dispatcher.utter_message(
                text="I couldn't confirm the one-time code, so nothing has changed.",
                buttons=OFFER_HUMAN_BUTTONS,
            )
            return settled()
        account = str(tracker.get_slot(names.VERIFIED_ACCOUNT_NUMBER) or "")
        key = operation_key(tracker, operation.encode())
        try:
            text = await self.carry_out(operation, tracker.sender_id, account, key)
        except Refused as refusal:
            if isinstance(refusal, BeyondAuthority):
                reason = f"beyond_authority|{operation.ref}" if operation.kind == "credit" else ""
                text = BEYOND.get(refusal.code, "That's more than I'm allowed to do myself.")
                return [*settled(), *offer_person(dispatcher, text, reason or "beyond_authority")]
            text = REFUSALS.get(refusal.code, "I couldn't do that in this chat; a person can help.")
        dispatcher.utter_message(text=text)
        return settled()

    async def carry_out(
        self, operation: Operation, conversation: str, account: str, key: str
    ) -> str:
        post = self.client.post
        if operation.kind == "arrangement":
            return await set_up_arrangement(self.client, conversation, account, operation.ref, key)
        if operation.kind == "preferences":
            return await save_preferences(self.client, conversation, account, operation.ref, key)
        if operation.kind == "credit":
            done = await post(conversation, account, f"/findings/{operation.ref}/credit", {}, key)
            credit = done["credit"]
            return (
                f"Done: I've credited {money(credit['amount'], credit['currency'])} to your account"
                f" for invoice {credit['invoice_number']}. Your balance is now"
                f" {money(done['balance'], credit['currency'])}."
            )
        if operation.kind == "offer":
            done = await post(conversation, account, f"/offers/{operation.ref}/accept", {}, key)
            discount = done["discount"]
            return (
                f"Done: {discount['percent']}% off, {money(discount['monthly_amount'])} a month,"
                f" from {day(discount['start_date'])} to {day(discount['end_date'])}."
            )
        if operation.kind == "plan":
            done = await post(
                conversation, account, "/plan-changes", {"plan_code": operation.ref}, key
            )
            return (
                f"Done: you're on {done['new_plan']['name']} from {day(done['effective_date'])},"
                f" {money(done['new_monthly_price'], done['currency'])} a month."
            )
        if operation.kind == "cancel":
            body = {"reason": "requested in chat"}
            done = await post(conversation, account, "/cancellations", body, key)
            return (
                f"Your cancellation request is recorded: your service ends on"
                f" {day(done['effective_date'])}. We'll confirm it by email."
            )
        invoice_number, line_id = operation.ref.split(":")
        body = {
            "invoice_number": invoice_number,
            "line_id": int(line_id),
            "reason": operation.context,
        }
        done = await post(conversation, account, "/disputes", body, key)
        return (
            f"I've opened dispute #{done['id']} on '{done['line_description']}'"
            f" ({money(done['amount'], done['currency'])}). A colleague will review it."
        )


# Beyond what the bot may grant: a person is offered.
BEYOND = {
    "credit_exceeds_invoice": "That invoice has already been credited as far as it can be, so I"
    " can't add this credit myself.",
}
REFUSALS = {
    "already_credited": "That was already credited to your account, so nothing more was needed.",
    "offer_unavailable": (
        "That offer is no longer available. Ask me again and I'll check what I can do."
    ),
    "already_pending": "There's already a request like this on your account.",
    "nothing_owed": "You don't owe anything at the moment.",
}


class ActionDeclinePendingOperation(BillingAction):
    def name(self) -> str:
        return "action_decline_pending_operation"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        operation = Operation.decode(tracker.get_slot(names.PENDING_OPERATION))
        account = str(tracker.get_slot(names.VERIFIED_ACCOUNT_NUMBER) or "")
        if operation is None or operation.kind != "offer":
            dispatcher.utter_message(text=NOTHING_CHANGED)
            return settled()
        key = operation_key(tracker, f"decline|{operation.encode()}")
        await self.client.post(
            tracker.sender_id, account, f"/offers/{operation.ref}/decline", {}, key
        )
        if operation.context == "cancellation":
            return [
                *settled(),
                *await cancellation_terms(self.client, dispatcher, tracker, account),
            ]
        dispatcher.utter_message(text="Okay, no discount then. Is there anything else I can do?")
        return settled()


def describe_request(request: CustomerRequest) -> str:
    """A short, non-personal reason for a dispute: what the customer asked, not their words."""
    amount = request.entity("amount")
    return (
        f"customer disputes the {amount} charge in chat"
        if amount
        else "customer disputes a charge in chat"
    )


def charge_label(charge: JSON) -> str:
    return f"{charge['description']} ({money(charge['amount'], charge.get('currency', 'EUR'))})"
