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
from actions.speech import plural, say, text
from actions.transcript import REPEATED_COMPLAINTS, complaints

CHARGE_WORDS = (
    "late fee", "late", "roaming", "vat", "tax", "discount", "proration", "installation",
    "router", "sim", "static ip", "tv", "extra data", "overage", "usage", "credit",
)  # fmt: skip
# Slovenian words change their endings ("prenosa podatkov", "zamudnino"): the stems of the
# words in the lines' Slovenian names and explanations, each word matched at a word's start and
# sent as it is (the back end looks for each word inside the line's name and explanation).
CHARGE_STEMS_SL = (
    "prenos podatk", "zamud", "ddv", "popust", "naročnin", "del mesec", "priključ",
    "usmerjevalnik", "gostovanj", "statičn", "dobropis", "nadomestil", "porab",
)  # fmt: skip
_STEM_PATTERNS = tuple(
    (stem, re.compile(r"\b" + r"\w*\s+".join(map(re.escape, stem.split()))))
    for stem in CHARGE_STEMS_SL
)


def charge_words(text: str) -> str | None:
    """The words of a message that name a kind of charge ("extra data", "prenos podatk")."""
    lowered = text.lower()
    words = next((w for w in CHARGE_WORDS if re.search(rf"\b{w}\b", lowered)), None)
    return words or next((stem for stem, found in _STEM_PATTERNS if found.search(lowered)), None)


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
            events = offer_person(
                dispatcher,
                "review.finding_needs_approval",
                f"beyond_authority|{finding['id']}",
                summary=finding["summary"],
            )
            return True, events
        finding = creditable[0]
        say(dispatcher, "review.finding", summary=finding["summary"])
        amount = money(finding["amount"], finding["currency"])
        question = text("review.credit_question", amount=amount)
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
            text(
                "bill_change.line",
                amount=signed(c["amount"], changes["currency"]),
                explanation=c["explanation"],
            )
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
    values = {
        "month": now,
        "total": money(changes["total"], currency),
        "previous_month": before,
        "previous_total": money(changes["previous_total"], currency),
    }
    if difference.startswith("-"):
        return text(
            "bill_change.lower", difference=money(difference.lstrip("-"), currency), **values
        )
    if parse_amount(difference) == 0:
        return text("bill_change.same", **values)
    return text("bill_change.higher", difference=money(difference, currency), **values)


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
            say(dispatcher, "charge.not_found")
            return []
        if len(groups) == 1:
            first, repeats = groups[0][0], len(groups[0])
            answer = explain_one(first)
            if repeats > 1:
                answer += " " + plural("charge.repeated", repeats)
            dispatcher.utter_message(text=answer)
        else:
            dispatcher.utter_message(
                text=plural("charge.which_one", len(groups)),
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
    words = charge_words(text)
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
    title = text(
        "charge.choice", charge=charge_label(charge), month=month_name(charge["period_start"])
    )
    return {"title": title, "payload": f'/choose_option{{"option": "{option}"}}'}


def explain_one(charge: JSON) -> str:
    return text(
        "charge.explained",
        charge=charge_label(charge),
        number=charge["invoice_number"],
        start=day(charge["period_start"]),
        end=day(charge["period_end"]),
        explanation=charge["explanation"],
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
            return offer_person(dispatcher, "review.no_error_still_worried", "upset_customer")
        if len(charges) != 1:
            say(dispatcher, "review.no_error_which_charge")
            return []
        charge = charges[0]
        say(dispatcher, "review.no_error_in", charge=charge_label(charge))
        operation = Operation(
            "dispute", f"{charge['invoice_number']}:{charge['line_id']}", describe_request(request)
        )
        return propose(dispatcher, text("dispute.open_question"), operation)
