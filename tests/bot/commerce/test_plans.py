"""Plan recommendation and proration (pure), and cancellation terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commerce.cancellation import cancellation_terms
from bot.commerce.plans import PlanFacts, days_left, monthly_cost, proration, recommend
from bot.core.money import prorate

FIBER_100 = PlanFacts("fiber-100", "Fiber 100", "fiber", 2990, 500, 150)
FIBER_300 = PlanFacts("fiber-300", "Fiber 300", "fiber", 3990, 1000, 150)
FIBER_1000 = PlanFacts("fiber-1000", "Fiber 1000", "fiber", 5990, None, None)
MOBILE_5 = PlanFacts("mobile-5gb", "Mobile 5GB", "mobile", 990, 5, 200)
CATALOG = [FIBER_100, FIBER_300, FIBER_1000, MOBILE_5]


def _gb(*values: int) -> list[Decimal]:
    return [Decimal(value) for value in values]


def test_a_smaller_plan_that_fits_saves_money() -> None:
    advice = recommend(FIBER_300, CATALOG, _gb(420, 380, 499))
    assert advice is not None
    assert advice.plan == FIBER_100
    assert (advice.current_cost_cents, advice.saving_cents, advice.already_best) == (
        3990,
        1000,
        False,
    )


def test_the_current_plan_is_already_best() -> None:
    advice = recommend(FIBER_300, CATALOG, _gb(800, 853, 1003))
    assert advice is not None
    assert advice.plan == FIBER_300
    assert advice.already_best
    assert advice.saving_cents == 0
    assert advice.current_cost_cents == 3990 + 150  # 3 GB over once in three months: 1.50 avg


def test_a_bigger_plan_is_recommended_when_extra_usage_costs_more() -> None:
    advice = recommend(FIBER_100, CATALOG, _gb(520, 540, 530))  # 20-40 GB over every month
    assert advice is not None
    assert advice.plan == FIBER_300
    assert advice.current_cost_cents == 2990 + 30 * 150
    assert advice.saving_cents == 2990 + 4500 - 3990


def test_only_plans_of_the_same_kind_and_no_usage_no_advice() -> None:
    assert recommend(MOBILE_5, CATALOG, _gb(2, 3, 4)) is not None
    assert recommend(MOBILE_5, CATALOG, _gb(2, 3, 4)).plan == MOBILE_5  # type: ignore[union-attr]
    assert recommend(FIBER_1000, CATALOG, []) is None


def test_extra_usage_counts_started_gigabytes() -> None:
    assert monthly_cost(FIBER_100, Decimal("500")) == 2990
    assert monthly_cost(FIBER_100, Decimal("500.2")) == 2990 + 150
    assert monthly_cost(FIBER_1000, Decimal(99999)) == 5990


def test_proration_for_the_rest_of_the_month() -> None:
    today = date(2026, 11, 15)
    assert days_left(today) == 16
    assert proration(3990, 5990, today) == prorate(5990, 16, 30) - prorate(3990, 16, 30) == 1067
    assert proration(5990, 3990, today) == -1067
    assert proration(3990, 5990, date(2026, 11, 1)) == 2000
    assert proration(3990, 5990, date(2026, 11, 30)) == prorate(2000, 1, 30)


@given(
    old=st.integers(0, 20_000),
    new=st.integers(0, 20_000),
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
)
def test_proration_is_never_more_than_a_month_of_the_difference(
    old: int, new: int, day: date
) -> None:
    amount = proration(old, new, day)
    assert abs(amount) <= abs(new - old) + 1  # two roundings
    assert (amount > 0) <= (new > old)


@pytest.mark.parametrize(
    ("end", "fee", "effective", "due"),
    [
        (date(2026, 11, 30), 12000, date(2026, 12, 15), 0),  # Eva: ends before the notice does
        (date(2027, 9, 30), 12000, date(2026, 12, 15), 12000),  # Ana: leaving early
        (date(2026, 12, 15), 12000, date(2026, 12, 15), 0),  # ends the day notice ends
        (None, 6000, date(2026, 12, 15), 0),  # no end date
    ],
)
def test_cancellation_terms(end: date | None, fee: int, effective: date, due: int) -> None:
    terms = cancellation_terms(end, fee, date(2026, 11, 15), 30)
    assert (terms.effective_date, terms.fee_cents, terms.fee_applies) == (effective, due, due > 0)
