"""A price above the contracted one: a plan charge above the plan's monthly price, a partial
month above that price prorated by days, an add-on above its price, or extra usage above the
plan's price per unit. The finding is the difference."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from bot.core.dates import days_in_month
from bot.core.money import format_amount, prorate, round_to_cents
from bot.core.texts import Money, Phrase
from bot.review.rules.base import Draft, line_evidence, lines_with_invoices
from bot.review.types import RuleName

if TYPE_CHECKING:
    from bot.review.facts import AccountFacts, FactLine


def _proration_price(line: FactLine, monthly: int) -> int | None:
    if line.period_start is None or line.period_end is None:
        return None
    days = (line.period_end - line.period_start).days + 1
    return prorate(monthly, days, days_in_month(line.period_start))


def contracted_amount(facts: AccountFacts, line: FactLine) -> int | None:
    """What the line should cost under the contract, or None when the rule does not apply."""
    contract = facts.contracts.get(line.contract_id) if line.contract_id else None
    if line.kind == "plan_charge" and contract is not None:
        return contract.price_cents
    if line.kind == "proration" and contract is not None:
        return _proration_price(line, contract.price_cents)
    if line.kind == "add_on" and line.add_on_id in facts.add_on_prices:
        return facts.add_on_prices[line.add_on_id][1]
    if line.kind == "usage_overage" and contract and contract.overage_unit_price_cents:
        per_gb = Decimal(contract.overage_unit_price_cents) / 100
        return round_to_cents(line.quantity * per_gb)
    return None


def above_contract_price(facts: AccountFacts) -> list[Draft]:
    drafts = []
    for line, invoice in lines_with_invoices(facts):
        expected = contracted_amount(facts, line)
        if expected is None or line.amount_cents <= expected:
            continue
        extra = line.amount_cents - expected
        drafts.append(
            Draft(
                rule=RuleName.ABOVE_CONTRACT_PRICE,
                invoice=invoice,
                line_ids=(line.id,),
                net_cents=extra,
                phrase=Phrase(
                    "finding.above_contract_price",
                    {
                        "description": line.description,
                        "amount": Money(line.amount_cents),
                        "expected": Money(expected),
                        "extra": Money(extra),
                    },
                ),
                evidence={
                    "line": line_evidence(line, invoice),
                    "contracted_amount": format_amount(expected),
                },
            )
        )
    return drafts
