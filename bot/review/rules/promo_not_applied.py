"""A promotional price not applied inside the promotion: a full month's plan charge whose month
ends on or before the promotion's end, without the discount down to the promo price.

The finding is the missing part of the discount, on the plan charge line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.money import format_amount
from bot.core.texts import Day, Money, Phrase, PhraseValue, Span
from bot.review.rules.base import Draft, line_evidence
from bot.review.types import RuleName

if TYPE_CHECKING:
    from datetime import date

    from bot.review.facts import AccountFacts, FactContract, FactInvoice, FactLine


def _promotion(line: FactLine, contract: FactContract) -> tuple[int, date] | None:
    """The promo price and end, if the line's month lies inside the promotion."""
    price, end = contract.promo_price_cents, contract.promo_end
    if price is None or end is None or line.period_start is None or line.period_end is None:
        return None
    inside = contract.start <= line.period_start and line.period_end <= end
    return (price, end) if inside else None


def _draft(
    line: FactLine,
    invoice: FactInvoice,
    contract: FactContract,
    promo: tuple[int, date],
    missing: int,
) -> Draft:
    price, end = promo
    discounts = [
        line_evidence(x, invoice)
        for x in invoice.lines
        if x.kind == "discount" and x.contract_id == line.contract_id
    ]
    start, stop = line.period_start, line.period_end
    values: dict[str, PhraseValue] = {
        "plan": contract.plan_name,
        "price": Money(price),
        "ends": Day(end),
        "missing": Money(missing),
    }
    key = "finding.promo_not_applied"
    if start and stop:
        key += ".period"
        values["period"] = Span(start, stop)
    return Draft(
        rule=RuleName.PROMO_NOT_APPLIED,
        invoice=invoice,
        line_ids=(line.id, *(d["line_id"] for d in discounts)),
        net_cents=missing,
        phrase=Phrase(key, values),
        evidence={
            "plan_charge": line_evidence(line, invoice),
            "discounts": discounts,
            "promo_price": format_amount(price),
            "promo_end": end.isoformat(),
        },
    )


def promo_not_applied(facts: AccountFacts) -> list[Draft]:
    drafts = []
    for invoice in facts.invoices:
        for line in invoice.lines:
            contract = facts.contracts.get(line.contract_id) if line.contract_id else None
            promo = _promotion(line, contract) if contract and line.kind == "plan_charge" else None
            if contract is None or promo is None:
                continue
            expected = promo[0] - contract.price_cents  # the discount: negative
            given = sum(
                x.amount_cents
                for x in invoice.lines
                if x.kind == "discount" and x.contract_id == line.contract_id
            )
            if given - expected > 0:
                drafts.append(_draft(line, invoice, contract, promo, given - expected))
    return drafts
