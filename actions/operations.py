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
from actions.base import (
    BEYOND_AUTHORITY,
    BillingAction,
    DomainDict,
    offer_human_buttons,
    offer_person,
)
from actions.billing_client import JSON, BeyondAuthority, BillingClient, Refused
from actions.formatting import day, money
from actions.keys import operation_key
from actions.preferences import save_preferences
from actions.proposals import NOTHING_CHANGED, Operation, propose, settled
from actions.speech import plural, say, text


async def cancellation_terms(
    client: BillingClient, dispatcher: CollectingDispatcher, tracker: Tracker, account: str
) -> list[EventType]:
    """Explain what cancelling means now and ask whether to record the request."""
    terms = await client.get(tracker.sender_id, account, "/cancellation-terms")
    if terms.get("pending_request"):
        say(dispatcher, "cancel.already_recorded")
        return settled()
    currency = terms.get("currency", "EUR")
    answer = plural("cancel.ends_on", int(terms["notice_days"]), end=day(terms["effective_date"]))
    if terms.get("fee_applies"):
        answer += " " + text(
            "cancel.fee_applies",
            contract_end=day(terms.get("contract_end_date")),
            fee=money(terms["early_termination_fee"], currency),
        )
    else:
        answer += " " + text("cancel.no_fee")
    dispatcher.utter_message(text=answer)
    return propose(dispatcher, text("cancel.record_question"), Operation("cancel"))


class ActionExecutePendingOperation(BillingAction):
    def name(self) -> str:
        return "action_execute_pending_operation"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        operation = Operation.decode(tracker.get_slot(names.PENDING_OPERATION))
        if operation is None:
            say(dispatcher, "operation.nothing_waiting")
            return settled()
        outcome = tracker.get_slot(names.STEP_UP_CODE)
        if operation.needs_step_up and outcome in (names.CHECK_FAILED, names.CHECK_UNAVAILABLE):
            say(dispatcher, "operation.code_not_confirmed", buttons=offer_human_buttons())
            return settled()
        account = str(tracker.get_slot(names.VERIFIED_ACCOUNT_NUMBER) or "")
        key = operation_key(tracker, operation.encode())
        try:
            answer = await self.carry_out(operation, tracker.sender_id, account, key)
        except Refused as refusal:
            if isinstance(refusal, BeyondAuthority):
                reason = f"beyond_authority|{operation.ref}" if operation.kind == "credit" else ""
                why = BEYOND.get(refusal.code, BEYOND_AUTHORITY)
                return [*settled(), *offer_person(dispatcher, why, reason or "beyond_authority")]
            answer = text(REFUSALS.get(refusal.code, "operation.refused"))
        dispatcher.utter_message(text=answer)
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
            return text(
                "operation.credited",
                amount=money(credit["amount"], credit["currency"]),
                number=credit["invoice_number"],
                balance=money(done["balance"], credit["currency"]),
            )
        if operation.kind == "offer":
            done = await post(conversation, account, f"/offers/{operation.ref}/accept", {}, key)
            discount = done["discount"]
            return text(
                "operation.discount_done",
                percent=discount["percent"],
                monthly=money(discount["monthly_amount"]),
                start=day(discount["start_date"]),
                end=day(discount["end_date"]),
            )
        if operation.kind == "plan":
            done = await post(
                conversation, account, "/plan-changes", {"plan_code": operation.ref}, key
            )
            return text(
                "operation.plan_changed",
                name=done["new_plan"]["name"],
                start=day(done["effective_date"]),
                price=money(done["new_monthly_price"], done["currency"]),
            )
        if operation.kind == "cancel":
            body = {"reason": "requested in chat"}
            done = await post(conversation, account, "/cancellations", body, key)
            return text("operation.cancellation_recorded", end=day(done["effective_date"]))
        invoice_number, line_id = operation.ref.split(":")
        body = {
            "invoice_number": invoice_number,
            "line_id": int(line_id),
            "reason": operation.context,
        }
        done = await post(conversation, account, "/disputes", body, key)
        return text(
            "operation.dispute_opened",
            id=done["id"],
            description=done["line_description"],
            amount=money(done["amount"], done["currency"]),
        )


# Beyond what the bot may grant: a person is offered.
BEYOND = {"credit_exceeds_invoice": "operation.credit_exceeds_invoice"}
REFUSALS = {
    "already_credited": "operation.already_credited",
    "offer_unavailable": "operation.offer_unavailable",
    "already_pending": "operation.already_pending",
    "nothing_owed": "balance.nothing_owed",
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
            say(dispatcher, NOTHING_CHANGED)
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
        say(dispatcher, "offer.declined")
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
    amount = money(charge["amount"], charge.get("currency", "EUR"))
    return text("charge.label", description=charge["description"], amount=amount)
