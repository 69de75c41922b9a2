"""The fair-treatment rules, one module each, and their registry.

A rule is a pure function `AccountFacts -> list[Draft]`; `RULES` lists them by name and
`run_rules` runs them all. A new rule is a module with one such function, added to `RULES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.review.rules.above_contract_price import above_contract_price
from bot.review.rules.charge_after_cancellation import charge_after_cancellation
from bot.review.rules.duplicate_charge import duplicate_charge
from bot.review.rules.late_fee_paid_on_time import late_fee_paid_on_time
from bot.review.rules.promo_not_applied import promo_not_applied
from bot.review.types import RuleName

if TYPE_CHECKING:
    from bot.review.facts import AccountFacts
    from bot.review.rules.base import Draft, Rule

RULES: dict[RuleName, Rule] = {
    RuleName.DUPLICATE_CHARGE: duplicate_charge,
    RuleName.LATE_FEE_PAID_ON_TIME: late_fee_paid_on_time,
    RuleName.CHARGE_AFTER_CANCELLATION: charge_after_cancellation,
    RuleName.PROMO_NOT_APPLIED: promo_not_applied,
    RuleName.ABOVE_CONTRACT_PRICE: above_contract_price,
}


def run_rules(facts: AccountFacts, invoice_number: str | None = None) -> list[Draft]:
    """Every finding of every rule, oldest invoice first; only on `invoice_number` if given."""
    drafts = [draft for rule in RULES.values() for draft in rule(facts)]
    if invoice_number is not None:
        drafts = [d for d in drafts if d.invoice.number == invoice_number]
    return sorted(drafts, key=lambda d: (d.invoice.period_start, d.line_id, d.rule))
