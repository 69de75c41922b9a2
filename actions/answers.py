"""Answers about a verified account, phrased for a chat bubble. The facts come from the back end."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from actions.billing_client import JSON, BillingClient, NotFound
from actions.formatting import day, invoice_status, money, month_name
from actions.identity_input import MONTHS


@dataclass(frozen=True)
class CustomerRequest:
    """What the customer asked: an intent and the entities that came with it."""

    intent: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""  # what the customer typed, for the words that name a charge

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> CustomerRequest:
        intent = (message.get("intent") or {}).get("name") or ""
        entities = list(message.get("entities") or [])
        return cls(intent=intent, entities=entities, text=str(message.get("text") or ""))

    def entity(self, entity_type: str) -> str | None:
        for entity in self.entities:
            if entity.get("entity") == entity_type and entity.get("value") is not None:
                return str(entity["value"])
        return None


@dataclass(frozen=True)
class Answerer:
    """Answers for one verified conversation."""

    client: BillingClient
    dispatcher: CollectingDispatcher
    conversation_id: str
    account_number: str
    today: date

    @classmethod
    def for_tracker(
        cls, client: BillingClient, dispatcher: CollectingDispatcher, tracker: Tracker, today: date
    ) -> Answerer:
        account_number = tracker.get_slot(names.VERIFIED_ACCOUNT_NUMBER) or ""
        return cls(client, dispatcher, tracker.sender_id, account_number, today)

    async def balance(self, due_date_first: bool = False) -> None:
        data = await self.client.balance(self.conversation_id, self.account_number)
        currency = data.get("currency", "EUR")
        owed = Decimal(data["balance"])
        owed_text, due = money(data["balance"], currency), day(data["next_due_date"])
        if owed <= 0:
            credit = f" You have a credit of {money(str(-owed), currency)}." if owed < 0 else ""
            self.dispatcher.utter_message(text=f"You don't owe anything at the moment.{credit}")
        elif due_date_first:
            self.dispatcher.utter_message(text=f"Your next payment of {owed_text} is due by {due}.")
        else:
            self.dispatcher.utter_message(text=f"Your balance is {owed_text}, due by {due}.")
        lines = []
        if Decimal(data.get("overdue") or "0") > 0:
            lines.append(
                f"Of that, {money(data['overdue'], currency)} is overdue. "
                "Please pay it as soon as you can."
            )
        latest = data.get("latest_invoice")
        if latest:
            lines.append(
                f"Latest invoice {latest['number']}: {money(latest['total'], currency)}, "
                f"due {day(latest['due_date'])} ({invoice_status(latest['status'])})."
            )
        last_payment = data.get("last_payment")
        if last_payment:
            lines.append(
                f"Your last payment: {money(last_payment['amount'], currency)} "
                f"on {day(last_payment['date'])}."
            )
        if lines:
            self.dispatcher.utter_message(text="\n".join(lines))

    async def invoice(self, request: CustomerRequest) -> None:
        """The invoice line by line; when the customer named an amount, just the matching lines."""
        month = resolve_month(request.entity("month"), self.today)
        invoice = await self._invoice_for(month)
        if invoice is None:
            label = month_name(f"{month}-01") if month else "your account"
            self.dispatcher.utter_message(text=f"I don't see an invoice for {label}.")
            return
        wanted = parse_amount(request.entity("amount") or "")
        matches = [line for line in invoice["lines"] if abs(Decimal(line["amount"])) == wanted]
        if matches:
            for line in matches:
                amount = money(line["amount"], invoice["currency"])
                self.dispatcher.utter_message(
                    text=f"The {amount} line on invoice {invoice['number']}: {line['explanation']}"
                )
            return
        if wanted is not None:
            self.dispatcher.utter_message(
                text=f"There is no line of {money(str(wanted))} on this invoice. Here is all of it:"
            )
        self.dispatcher.utter_message(text=invoice_heading(invoice))
        lines = "\n".join(invoice_line_text(line, invoice) for line in invoice["lines"])
        self.dispatcher.utter_message(text=lines)
        self.dispatcher.utter_message(text=f"Total: {money(invoice['total'], invoice['currency'])}")

    async def payments(self) -> None:
        payments = await self.client.payments(self.conversation_id, self.account_number, limit=5)
        if not payments:
            self.dispatcher.utter_message(text="I don't see any payments on your account yet.")
            return
        lines = [
            f"• {day(p['date'])}: {money(p['amount'], p.get('currency', 'EUR'))} "
            f"({p.get('method', 'payment')})"
            for p in payments
        ]
        self.dispatcher.utter_message(text="Your last payments:\n" + "\n".join(lines))

    async def _invoice_for(self, month: str | None) -> JSON | None:
        try:
            if month is None:
                return await self.client.latest_invoice(self.conversation_id, self.account_number)
            found = await self.client.invoices(
                self.conversation_id, self.account_number, month=month, limit=1
            )
            if not found:
                return None
            return await self.client.invoice(
                self.conversation_id, self.account_number, found[0]["number"]
            )
        except NotFound:
            return None


def invoice_heading(invoice: JSON) -> str:
    return (
        f"Invoice {invoice['number']} for {month_name(invoice['period_start'])}, "
        f"due {day(invoice['due_date'])} ({invoice_status(invoice['status'])}):"
    )


def invoice_line_text(line: JSON, invoice: JSON) -> str:
    amount = money(line["amount"], invoice["currency"])
    return f"• {line['description']}: {amount}\n  {line['explanation']}"


def resolve_month(month_text: str | None, today: date) -> str | None:
    """'October' -> the latest October whose bill exists by now, as 'YYYY-MM'; '2026-09' stays."""
    if not month_text:
        return None
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month_text.strip()):
        return month_text.strip()
    month = MONTHS.get(month_text.strip().lower()[:3])
    if month is None:
        return None
    year = today.year if month < today.month else today.year - 1
    return f"{year:04d}-{month:02d}"


def parse_amount(text: str) -> Decimal | None:
    cleaned = "".join(ch for ch in text.replace(",", ".") if ch.isdigit() or ch == ".")
    try:
        return Decimal(cleaned).quantize(Decimal("0.01")) if cleaned else None
    except ArithmeticError:
        return None
