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
from actions.formatting import day, invoice_status, money, month_name, payment_method
from actions.identity_input import MONTHS
from actions.speech import say, text


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
        if owed < 0:
            say(self.dispatcher, "balance.nothing_owed_credit", credit=money(str(-owed), currency))
        elif owed == 0:
            say(self.dispatcher, "balance.nothing_owed")
        elif due_date_first:
            say(self.dispatcher, "balance.next_payment_due", amount=owed_text, due=due)
        else:
            say(self.dispatcher, "balance.due", amount=owed_text, due=due)
        lines = []
        if Decimal(data.get("overdue") or "0") > 0:
            lines.append(text("balance.overdue", amount=money(data["overdue"], currency)))
        latest = data.get("latest_invoice")
        if latest:
            lines.append(
                text(
                    "balance.latest_invoice",
                    number=latest["number"],
                    total=money(latest["total"], currency),
                    due=day(latest["due_date"]),
                    status=invoice_status(latest["status"]),
                )
            )
        last_payment = data.get("last_payment")
        if last_payment:
            lines.append(
                text(
                    "balance.last_payment",
                    amount=money(last_payment["amount"], currency),
                    date=day(last_payment["date"]),
                )
            )
        if lines:
            self.dispatcher.utter_message(text="\n".join(lines))

    async def invoice(self, request: CustomerRequest) -> None:
        """The invoice line by line; when the customer named an amount, just the matching lines."""
        month = resolve_month(request.entity("month"), self.today)
        invoice = await self._invoice_for(month)
        if invoice is None:
            if month:
                say(self.dispatcher, "invoice.none_for_month", month=month_name(f"{month}-01"))
            else:
                say(self.dispatcher, "invoice.none")
            return
        wanted = parse_amount(request.entity("amount") or "")
        matches = [line for line in invoice["lines"] if abs(Decimal(line["amount"])) == wanted]
        if matches:
            for line in matches:
                say(
                    self.dispatcher,
                    "invoice.matching_line",
                    amount=money(line["amount"], invoice["currency"]),
                    number=invoice["number"],
                    explanation=line["explanation"],
                )
            return
        if wanted is not None:
            say(self.dispatcher, "invoice.no_line_of_amount", amount=money(str(wanted)))
        self.dispatcher.utter_message(text=invoice_heading(invoice))
        lines = "\n".join(invoice_line_text(line, invoice) for line in invoice["lines"])
        self.dispatcher.utter_message(text=lines)
        say(self.dispatcher, "invoice.total", total=money(invoice["total"], invoice["currency"]))

    async def payments(self) -> None:
        payments = await self.client.payments(self.conversation_id, self.account_number, limit=5)
        if not payments:
            say(self.dispatcher, "payments.none")
            return
        lines = [
            text(
                "payments.line",
                date=day(p["date"]),
                amount=money(p["amount"], p.get("currency", "EUR")),
                method=payment_method(p.get("method")),
            )
            for p in payments
        ]
        say(self.dispatcher, "payments.heading", lines="\n".join(lines))

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
    return text(
        "invoice.heading",
        number=invoice["number"],
        month=month_name(invoice["period_start"]),
        due=day(invoice["due_date"]),
        status=invoice_status(invoice["status"]),
    )


def invoice_line_text(line: JSON, invoice: JSON) -> str:
    return text(
        "invoice.line",
        description=line["description"],
        amount=money(line["amount"], invoice["currency"]),
        explanation=line["explanation"],
    )


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
