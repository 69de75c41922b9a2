"""The same charge twice: a recurring charge (plan, partial month, add-on) billed again for the
same period, on the same or a later invoice, or two late fees for one late invoice.

The first line is the real charge; every later one is a finding of its full amount.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.texts import Money, Phrase, PhraseValue, Span
from bot.review.rules.base import Draft, line_evidence, lines_with_invoices
from bot.review.types import RuleName

if TYPE_CHECKING:
    from bot.review.facts import AccountFacts, FactInvoice, FactLine

_RECURRING = frozenset({"plan_charge", "proration", "add_on"})


def _identity(line: FactLine) -> tuple[object, ...] | None:
    if line.kind in _RECURRING and line.period_start and line.period_end:
        return (line.kind, line.contract_id, line.add_on_id, line.period_start, line.period_end)
    if line.kind == "late_fee" and line.related_invoice_id is not None:
        return ("late_fee", line.related_invoice_id)
    return None


def _draft(first: tuple[FactLine, FactInvoice], again: tuple[FactLine, FactInvoice]) -> Draft:
    (line, invoice), (original, original_invoice) = again, first
    key = "finding.duplicate_charge"
    values: dict[str, PhraseValue] = {
        "description": line.description,
        "amount": Money(line.amount_cents),
        "invoice": invoice.number,
    }
    if invoice.id == original_invoice.id:
        key += ".same"
    else:
        values["original"] = original_invoice.number
    if line.period_start and line.period_end:
        key += ".period"
        values["period"] = Span(line.period_start, line.period_end)
    return Draft(
        rule=RuleName.DUPLICATE_CHARGE,
        invoice=invoice,
        line_ids=(line.id, original.id),
        net_cents=line.amount_cents,
        phrase=Phrase(key, values),
        evidence={
            "duplicate": line_evidence(line, invoice),
            "original": line_evidence(original, original_invoice),
        },
    )


def duplicate_charge(facts: AccountFacts) -> list[Draft]:
    seen: dict[tuple[object, ...], tuple[FactLine, FactInvoice]] = {}
    drafts = []
    for line, invoice in lines_with_invoices(facts):
        identity = _identity(line)
        if identity is None or line.amount_cents <= 0:
            continue
        if identity in seen:
            drafts.append(_draft(seen[identity], (line, invoice)))
        else:
            seen[identity] = (line, invoice)
    return drafts
