"""Why a bill changed, what one charge is, and the fair-treatment review of the account."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.account import AccountAction
from actions.answers import CustomerRequest, parse_amount, resolve_month
from actions.base import offer_person
from actions.billing_client import JSON, NotFound
from actions.formatting import day, money, month_name
from actions.keys import idempotency_key
from actions.operations import Operation, charge_label, describe_request, propose
from actions.transcript import REPEATED_COMPLAINTS, complaints

CHARGE_WORDS = (
    "late fee", "late", "roaming", "vat", "tax", "discount", "proration", "installation",
    "router", "sim", "static ip", "tv", "extra data", "overage", "usage", "credit",
)  # fmt: skip


def signed(amount: str, currency: str = "EUR") -> str:
    text = money(amount, currency)
    return text if text.startswith("-") else f"+{text}"


class ReviewingAction(AccountAction):
    """Runs the back end's fair-treatment review and offers to fix what it finds."""

    async def review(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[bool, list[EventType]]:
        key = idempotency_key(tracker, "review")
        result = await self.client.post(
            tracker.sender_id, self.account(tracker), "/reviews", {}, key
        )
        findings = [f for f in result["findings"] if f["status"] in ("open", "escalated")]
        if not findings:
            return False, []
        creditable = [f for f in findings if f.get("bot_can_credit")]
        if not creditable:
            finding = findings[0]
            text = (
                f"I checked your bills against our rules and found this: {finding['summary']}"
                " Crediting it needs a colleague's approval."
            )
            return True, offer_person(dispatcher, text, f"beyond_authority|{finding['id']}")
        finding = creditable[0]
        dispatcher.utter_message(
            text=f"I checked your bills for errors and found one: {finding['summary']}"
        )
        amount = money(finding["amount"], finding["currency"])
        question = f"I can credit {amount} back to your account. Shall I?"
        return True, propose(dispatcher, question, Operation("credit", str(finding["id"])))


class ActionExplainBillChange(ReviewingAction):
    def name(self) -> str:
        return "action_explain_bill_change"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        try:
            changes = await self.client.get(
                tracker.sender_id, self.account(tracker), "/invoices/latest/changes"
            )
        except NotFound:
            await self.answerer(dispatcher, tracker).invoice(request)
            return []
        dispatcher.utter_message(text=change_summary(changes))
        lines = [
            f"• {signed(c['amount'], changes['currency'])}: {c['explanation']}"
            for c in changes["changes"]
        ]
        if lines:
            dispatcher.utter_message(text="\n".join(lines))
        _, events = await self.review(dispatcher, tracker)
        return events


def change_summary(changes: JSON) -> str:
    currency = changes["currency"]
    now, before = month_name(changes["period_start"]), month_name(changes["previous_period_start"])
    difference = changes["difference"]
    if difference.startswith("-"):
        direction = f"{money(difference.lstrip('-'), currency)} less than"
    elif parse_amount(difference) == 0:
        direction = "the same as"
    else:
        direction = f"{money(difference, currency)} more than"
    return (
        f"Your {now} bill is {money(changes['total'], currency)}, {direction} {before}'s"
        f" {money(changes['previous_total'], currency)}. Here's why:"
    )


class ActionExplainCharge(AccountAction):
    def name(self) -> str:
        return "action_explain_charge"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        query, chosen = charge_query(request, request.text, self.today())
        if not query:
            await self.answerer(dispatcher, tracker).invoice(request)
            return []
        found = await self.client.get(tracker.sender_id, self.account(tracker), "/charges", query)
        groups = same_charges(found["charges"])
        if chosen is not None:
            groups = [g for g in groups if any(str(c["line_id"]) == chosen for c in g)]
        if not groups:
            dispatcher.utter_message(
                text="I can't find a charge like that on your last three invoices."
                " Ask me to explain your bill and I'll go through every line."
            )
            return []
        if len(groups) == 1:
            first, repeats = groups[0][0], len(groups[0])
            text = explain_one(first)
            if repeats > 1:
                text += (
                    f" It appears {repeats} times on that invoice. If you think that's wrong,"
                    " say so and I'll check it."
                )
            dispatcher.utter_message(text=text)
        else:
            dispatcher.utter_message(
                text=f"I found {len(groups)} charges like that. Which one do you mean?",
                buttons=[choice_button(group[0], query) for group in groups[:6]],
            )
        return []


def same_charges(charges: list[JSON]) -> list[list[JSON]]:
    """The charges grouped when they are the same line repeated on one invoice, in order."""
    groups: dict[tuple[str, ...], list[JSON]] = {}
    for charge in charges:
        key = tuple(
            str(charge.get(field))
            for field in ("invoice_number", "description", "amount", "period_start", "period_end")
        )
        groups.setdefault(key, []).append(charge)
    return list(groups.values())


def charge_query(
    request: CustomerRequest, text: str, today: object
) -> tuple[dict[str, str], str | None]:
    """Query parameters for /charges from the message, and the line the customer picked, if any."""
    query: dict[str, str] = {}
    chosen = None
    option = request.entity("option")
    if option:  # "line_id|amount|text|month" from a choice button
        chosen, amount, words, month = [*option.split("|"), "", "", ""][:4]
        picked = (("amount", amount), ("text", words), ("month", month))
        query.update({k: v for k, v in picked if v})
        return query, chosen
    amount = parse_amount(request.entity("amount") or "")
    if amount is not None:
        query["amount"] = str(amount)
    lowered = text.lower()
    words = next((w for w in CHARGE_WORDS if re.search(rf"\b{w}\b", lowered)), None)
    if words and "amount" not in query:
        query["text"] = words
    month = resolve_month(request.entity("month"), today)  # type: ignore[arg-type]
    if month and query:
        query["month"] = month
    return query, chosen


def choice_button(charge: JSON, query: dict[str, str]) -> dict[str, str]:
    option = "|".join(
        [str(charge["line_id"]), *(query.get(k, "") for k in ("amount", "text", "month"))]
    )
    title = f"{charge_label(charge)}, {month_name(charge['period_start'])}"
    return {"title": title, "payload": f'/choose_option{{"option": "{option}"}}'}


def explain_one(charge: JSON) -> str:
    return (
        f"{charge_label(charge)} on invoice {charge['invoice_number']},"
        f" for {day(charge['period_start'])} to {day(charge['period_end'])}:"
        f" {charge['explanation']}"
    )


class ActionReviewAccount(ReviewingAction):
    """A charge is wrong, says the customer: review, fix what the rules find, else dispute."""

    def name(self) -> str:
        return "action_review_account"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, request: CustomerRequest
    ) -> list[EventType]:
        found, events = await self.review(dispatcher, tracker)
        if found:
            return events
        query, _ = charge_query(request, request.text, self.today())
        charges = []
        if query:
            result = await self.client.get(
                tracker.sender_id, self.account(tracker), "/charges", query
            )
            charges = result["charges"]
        if complaints(tracker) >= REPEATED_COMPLAINTS:
            text = (
                "I checked your recent bills against our billing rules and found no error, but I"
                " can see this keeps worrying you."
            )
            return offer_person(dispatcher, text, "upset_customer")
        if len(charges) != 1:
            dispatcher.utter_message(
                text="I checked your recent bills against our billing rules and found no error."
                " Which charge do you think is wrong? Tell me its amount, like 'the 9.99 charge'."
            )
            return []
        charge = charges[0]
        dispatcher.utter_message(
            text=f"I checked your recent bills against our billing rules and found no error in"
            f" {charge_label(charge)}."
        )
        operation = Operation(
            "dispute", f"{charge['invoice_number']}:{charge['line_id']}", describe_request(request)
        )
        return propose(
            dispatcher, "Shall I open a dispute so a colleague reviews this charge?", operation
        )
