"""Plan recommendation and plan-change proration, as pure functions over cents and dates.

Recommendation: the cheapest plan of the same kind (fiber or mobile) whose data allowance covers
the highest monthly usage of the last three months (an unlimited plan covers anything). The
current plan's cost is its price plus the average extra-usage charge of those months; the saving
is that cost minus the recommended plan's price. Without metered usage (unlimited plans record
none) there is nothing to compare and no recommendation.

A plan change takes effect immediately (today). The next invoice, which covers this month,
charges the old plan up to yesterday and the new plan from today: the proration amount is the new
minus the old monthly price for the days left in the month (today included), rounded half-up to
the cent; it is negative when the new plan is cheaper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.core.dates import days_in_month
from bot.core.money import prorate, round_to_cents

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date


@dataclass(frozen=True, slots=True)
class PlanFacts:
    code: str
    name: str
    kind: str
    price_cents: int
    allowance_gb: int | None  # None: unlimited
    overage_cents_per_gb: int | None


@dataclass(frozen=True, slots=True)
class Recommendation:
    plan: PlanFacts
    current_cost_cents: int  # current price + average extra-usage charge
    saving_cents: int  # per month; 0 when the current plan is already the best
    already_best: bool


def covers(plan: PlanFacts, usage_gb: Decimal) -> bool:
    return plan.allowance_gb is None or usage_gb <= plan.allowance_gb


def monthly_cost(plan: PlanFacts, usage_gb: Decimal) -> int:
    """Price plus extra usage beyond the allowance (whole GB started count, like the invoices)."""
    if plan.allowance_gb is None or plan.overage_cents_per_gb is None:
        return plan.price_cents
    over = max(0, math.ceil(usage_gb - plan.allowance_gb))
    return plan.price_cents + over * plan.overage_cents_per_gb


def average_cost(plan: PlanFacts, usage: Sequence[Decimal]) -> int:
    total = sum(monthly_cost(plan, month) for month in usage)
    return round_to_cents(Decimal(total) / len(usage) / 100) if usage else plan.price_cents


def recommend(
    current: PlanFacts, catalog: Sequence[PlanFacts], usage: Sequence[Decimal]
) -> Recommendation | None:
    """The cheapest plan that fits the usage, or None without usage to go by."""
    if not usage:
        return None
    peak = max(usage)
    fitting = [p for p in catalog if p.kind == current.kind and covers(p, peak)]
    cost = average_cost(current, usage)
    if not fitting:
        return Recommendation(current, cost, 0, already_best=True)
    cheapest = min(fitting, key=lambda plan: (plan.price_cents, plan.code != current.code))
    saving = cost - cheapest.price_cents
    if cheapest.code == current.code or saving <= 0:
        return Recommendation(current, cost, 0, already_best=True)
    return Recommendation(cheapest, cost, saving, already_best=False)


def days_left(effective: date) -> int:
    """Days from `effective` to the end of its month, both included."""
    return days_in_month(effective) - effective.day + 1


def proration(old_monthly_cents: int, new_monthly_cents: int, effective: date) -> int:
    """What the next invoice changes by when the plan changes on `effective`."""
    days, month_days = days_left(effective), days_in_month(effective)
    return prorate(new_monthly_cents, days, month_days) - prorate(
        old_monthly_cents, days, month_days
    )
