"""Billing errors `bot seed` puts into generated customers on purpose, at known rates.

Each generated customer draws, from its own random stream (`SEED:errors:<index>`, so the rest
of the customer is the same with or without errors), whether it gets each kind of error:

* `duplicate_charge`, 4 % of accounts: an add-on (or, without one, the plan) charged twice
  for one month, on the same invoice.
* `late_fee_paid_on_time`, 3 %: a late fee for an invoice that was paid by its due date.
* `charge_after_cancellation`, 3 %: an add-on billed for the month after it ended (an account
  without an ended add-on gets one that ran for the two months before).
* `above_contract_price`, 3 %: one month's plan charge 1.00-5.00 above the plan's price.
* `promo_not_applied`, 10 % of the accounts with a welcome discount (about 30 % of accounts, so
  about 3 % of all): one month inside the promotion without its discount.

An account's errors are on different months. Every error is recorded in the table
`seeded_billing_errors` (invoice, offending line, rule), the ground truth the review is
measured against. Marko (100002), a demo customer, carries one more: the duplicate roaming pack.
For 2,000 customers that is about 300 errors; `tests/bot/test_review_population.py` measures
the review on them.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from bot.billing.types import LineKind
from bot.core.dates import month_start
from bot.review.types import RuleName
from bot.seed import catalog
from bot.seed.memo import add_months, format_month, month_end
from bot.seed.spec import AddOnSpec, ExtraLine, SeededError

if TYPE_CHECKING:
    from bot.seed.spec import CustomerSpec

RATES: Final = {
    RuleName.DUPLICATE_CHARGE: 0.04,
    RuleName.LATE_FEE_PAID_ON_TIME: 0.03,
    RuleName.CHARGE_AFTER_CANCELLATION: 0.03,
    RuleName.ABOVE_CONTRACT_PRICE: 0.03,
    RuleName.PROMO_NOT_APPLIED: 0.10,  # of the accounts with a welcome discount
}


def _months(spec: CustomerSpec, latest: date) -> list[date]:
    months, month = [], spec.first_period
    while month <= latest:
        months.append(month)
        month = add_months(month, 1)
    return months


def _full_plan_months(spec: CustomerSpec, months: list[date]) -> list[date]:
    return [
        m for m in months if any(c.start <= m and month_end(m) <= c.end for c in spec.contracts)
    ]


def _promo_months(spec: CustomerSpec, months: list[date]) -> list[date]:
    return [
        m
        for m in months
        for c in spec.contracts
        if c.promo_price_cents is not None
        and c.promo_end is not None
        and c.start <= m
        and month_end(m) <= c.promo_end
    ]


def _after_cancellation(
    rng: random.Random, spec: CustomerSpec, months: list[date], free: set[date]
) -> date | None:
    """Bill an ended add-on one month after its end (giving the account one if it has none)."""
    for item in spec.add_ons:
        after = add_months(month_start(item.end), 1) if item.end else None
        if after is not None and after in free:
            _bill_add_on_again(spec, item, after)
            return after
    held = {item.add_on.id for item in spec.add_ons}
    spare = [add_on for add_on in catalog.ADD_ONS if add_on.id not in held]
    candidates = [m for m in months[2:] if m in free]
    if not spare or not candidates:
        return None
    month = rng.choice(candidates)
    item = AddOnSpec(rng.choice(spare), add_months(month, -2), month - timedelta(days=1))
    spec.add_ons.append(item)
    _bill_add_on_again(spec, item, month)
    return month


def _bill_add_on_again(spec: CustomerSpec, item: AddOnSpec, month: date) -> None:
    add_on = item.add_on
    line = ExtraLine(
        LineKind.ADD_ON,
        f"{add_on.name}, {format_month(month)}",
        add_on.price_cents,
        add_on,
        error_rule=str(RuleName.CHARGE_AFTER_CANCELLATION),
    )
    spec.extra_lines.setdefault(month, []).append(line)


def _pick(rng: random.Random, months: list[date], free: set[date]) -> date | None:
    candidates = [m for m in months if m in free]
    return rng.choice(candidates) if candidates else None


def plan_errors(index: int, spec: CustomerSpec, latest: date, seed: str) -> None:
    """Decide generated customer `index`'s seeded errors and put them into its spec."""
    rng = random.Random(f"{seed}:errors:{index}")
    draws = {rule: rng.random() for rule in RATES}  # always drawn: a stable stream
    months = _months(spec, latest)
    free = set(months)
    eligible = {
        RuleName.DUPLICATE_CHARGE: months,
        RuleName.LATE_FEE_PAID_ON_TIME: months[1:],
        RuleName.ABOVE_CONTRACT_PRICE: _full_plan_months(spec, months),
        RuleName.PROMO_NOT_APPLIED: _promo_months(spec, months),
    }
    for rule, rate in RATES.items():
        if draws[rule] >= rate:
            continue
        if rule is RuleName.CHARGE_AFTER_CANCELLATION:
            month = _after_cancellation(rng, spec, months, free)
        else:
            month = _pick(rng, eligible[rule], free)
        if month is None:
            continue
        free.discard(month)
        extra = 100 * rng.randint(1, 5) if rule is RuleName.ABOVE_CONTRACT_PRICE else 0
        spec.seeded_errors[month] = SeededError(str(rule), extra)
