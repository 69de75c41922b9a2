"""What a rule returns: a `Draft` finding with its overcharge and evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.money import format_amount, percent_of
from bot.core.texts import Phrase, Texts

if TYPE_CHECKING:
    from bot.review.facts import AccountFacts, FactInvoice, FactLine
    from bot.review.types import RuleName


def overcharge_vat(invoice: FactInvoice, net_cents: int) -> int:
    """The VAT the customer paid on `net_cents` too much: the invoice's VAT with and without it."""
    if not any(line.kind == "tax" for line in invoice.lines):
        return 0
    net = invoice.net_cents
    return percent_of(net, invoice.tax_rate) - percent_of(net - net_cents, invoice.tax_rate)


@dataclass(frozen=True, slots=True)
class Draft:
    """A finding before it is stored. `line_ids[0]` is the offending line."""

    rule: RuleName
    invoice: FactInvoice
    line_ids: tuple[int, ...]
    net_cents: int
    phrase: Phrase  # what the customer is told, in any language (bot.core.texts)
    evidence: dict[str, Any]

    @property
    def summary(self) -> str:
        """The phrase in English, as stored on the finding for the desk and the audit log."""
        return Texts().render(self.phrase)

    @property
    def line_id(self) -> int:
        return self.line_ids[0]

    @property
    def dedup_key(self) -> str:
        return f"{self.rule}:{self.line_id}"

    @property
    def vat_cents(self) -> int:
        return overcharge_vat(self.invoice, self.net_cents)

    @property
    def amount_cents(self) -> int:
        return self.net_cents + self.vat_cents


Rule = Callable[["AccountFacts"], list[Draft]]


def line_evidence(line: FactLine, invoice: FactInvoice) -> dict[str, Any]:
    """A line as evidence: which line, on which invoice, for which period, how much."""
    return {
        "line_id": line.id,
        "invoice_number": invoice.number,
        "kind": str(line.kind),
        "description": line.description,
        "amount": format_amount(line.amount_cents),
        "period_start": line.period_start.isoformat() if line.period_start else None,
        "period_end": line.period_end.isoformat() if line.period_end else None,
    }


def lines_with_invoices(facts: AccountFacts) -> list[tuple[FactLine, FactInvoice]]:
    """Every line of the account with its invoice, oldest invoice first."""
    return [(line, invoice) for invoice in facts.invoices for line in invoice.lines]
