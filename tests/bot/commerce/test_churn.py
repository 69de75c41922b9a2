"""The churn-risk formula of bot/commerce/churn.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commerce.churn import churn_points, churn_risk
from tests.bot.commerce.factories import EVA, TODAY, history


def test_eva_is_at_moderate_risk_because_her_contract_ends() -> None:
    assert churn_risk(EVA, TODAY) == 0.40


def test_ana_after_her_welcome_discount_ended() -> None:
    ana = history(tenure_months=13, contract_end=date(2027, 9, 30), price_increases_12m=1)
    assert churn_risk(ana, TODAY) == 0.20


@pytest.mark.parametrize(
    ("contract_end", "points"),
    [
        (None, 40),  # open-ended: free to leave
        (date(2026, 10, 31), 40),  # already ended
        (date(2026, 12, 16), 40),  # 31 days
        (date(2026, 12, 17), 25),  # 32 days
        (date(2027, 2, 13), 25),  # 90 days
        (date(2027, 2, 14), 5),  # 91 days
    ],
)
def test_contract_end_points(contract_end: date | None, points: int) -> None:
    assert churn_points(history(contract_end=contract_end), TODAY) == points


def test_each_factor_is_capped() -> None:
    far = date(2028, 1, 1)
    assert churn_points(history(contract_end=far, price_increases_12m=1), TODAY) == 20
    assert churn_points(history(contract_end=far, price_increases_12m=9), TODAY) == 35
    assert churn_points(history(contract_end=far, complaints_12m=1), TODAY) == 15
    assert churn_points(history(contract_end=far, complaints_12m=9), TODAY) == 25
    assert churn_points(history(contract_end=far, late_payments_12m=2), TODAY) == 15
    assert churn_points(history(contract_end=far, late_payments_12m=9), TODAY) == 20
    assert churn_points(history(contract_end=far, tenure_months=11), TODAY) == 15


def test_everything_at_once_is_capped_at_one() -> None:
    worst = history(
        contract_end=None,
        price_increases_12m=5,
        complaints_12m=5,
        late_payments_12m=5,
        tenure_months=2,
    )
    assert churn_risk(worst, TODAY) == 1.0


def test_on_time_ratio() -> None:
    assert history(invoices_due=0, invoices_paid_on_time=0).on_time_ratio == 1.0
    assert history(invoices_due=10, invoices_paid_on_time=9).on_time_ratio == 0.9


@given(
    tenure=st.integers(0, 200),
    increases=st.integers(0, 20),
    complaints=st.integers(0, 20),
    late=st.integers(0, 20),
    days=st.one_of(st.none(), st.integers(-400, 2000)),
)
def test_the_score_stays_between_zero_and_one_and_grows_with_trouble(
    tenure: int, increases: int, complaints: int, late: int, days: int | None
) -> None:
    end = None if days is None else date.fromordinal(TODAY.toordinal() + days)
    base = history(
        tenure_months=tenure,
        price_increases_12m=increases,
        complaints_12m=complaints,
        late_payments_12m=late,
        contract_end=end,
    )
    score = churn_risk(base, TODAY)
    assert 0.0 <= score <= 1.0
    assert churn_risk(replace(base, complaints_12m=complaints + 1), TODAY) >= score
    assert churn_risk(replace(base, late_payments_12m=late + 1), TODAY) >= score
