"""Payment arrangement limits and schedules (pure)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commerce.arrangement_rules import (
    arrangement_options,
    plan_schedule,
    split_schedule,
)
from bot.commerce.types import ArrangementKind
from bot.core.errors import InvalidRequest
from tests.bot.commerce.factories import shipped_policy

TODAY = date(2026, 11, 15)
LIMITS = shipped_policy().arrangements


def test_options_for_a_balance() -> None:
    found = arrangement_options(LIMITS, 5980, date(2026, 11, 30), False, TODAY)
    assert (found.eligible, found.base_date, found.max_extension_days) == (
        True,
        date(2026, 11, 30),
        14,
    )
    assert found.instalment_counts == (2, 3)


def test_an_overdue_balance_counts_from_today() -> None:
    assert arrangement_options(LIMITS, 100, date(2026, 10, 31), False, TODAY).base_date == TODAY


@pytest.mark.parametrize(
    ("balance", "active", "reason"),
    [
        (0, False, "nothing is owed"),
        (-500, False, "nothing is owed"),
        (5000, True, "there is already an active payment arrangement"),
    ],
)
def test_no_options(balance: int, active: bool, reason: str) -> None:
    found = arrangement_options(LIMITS, balance, None, active, TODAY)
    assert not found.eligible
    assert found.reason == reason
    with pytest.raises(InvalidRequest, match=reason):
        plan_schedule(found, ArrangementKind.SPLIT, None, 2)


def test_extension_and_split_schedules() -> None:
    found = arrangement_options(LIMITS, 5980, date(2026, 11, 30), False, TODAY)
    [only] = plan_schedule(found, ArrangementKind.EXTEND_DUE_DATE, 10, None)
    assert (only.number, only.due_date, only.amount_cents) == (1, date(2026, 12, 10), 5980)
    parts = plan_schedule(found, ArrangementKind.SPLIT, None, 3)
    assert [(p.due_date, p.amount_cents) for p in parts] == [
        (date(2026, 11, 30), 1994),
        (date(2026, 12, 30), 1993),
        (date(2027, 1, 30), 1993),
    ]


@pytest.mark.parametrize(
    ("kind", "days", "count", "message"),
    [
        (ArrangementKind.EXTEND_DUE_DATE, 15, None, "1 to 14 days"),
        (ArrangementKind.EXTEND_DUE_DATE, 0, None, "1 to 14 days"),
        (ArrangementKind.EXTEND_DUE_DATE, None, None, "1 to 14 days"),
        (ArrangementKind.SPLIT, None, 4, "2 or 3 parts"),
        (ArrangementKind.SPLIT, None, None, "2 or 3 parts"),
    ],
)
def test_outside_the_limits(
    kind: ArrangementKind, days: int | None, count: int | None, message: str
) -> None:
    found = arrangement_options(LIMITS, 5980, date(2026, 11, 30), False, TODAY)
    with pytest.raises(InvalidRequest, match=message):
        plan_schedule(found, kind, days, count)


def test_a_few_cents_cannot_be_split() -> None:
    found = arrangement_options(LIMITS, 2, date(2026, 11, 30), False, TODAY)
    with pytest.raises(InvalidRequest, match="too small to split"):
        plan_schedule(found, ArrangementKind.SPLIT, None, 3)


@given(balance=st.integers(12, 10_000_000), count=st.integers(2, 12))
def test_instalments_add_up_to_the_balance(balance: int, count: int) -> None:
    parts = split_schedule(balance, TODAY, count)
    assert sum(part.amount_cents for part in parts) == balance
    assert max(p.amount_cents for p in parts) - min(p.amount_cents for p in parts) <= 1
    assert [p.number for p in parts] == list(range(1, count + 1))
    assert all(a.due_date < b.due_date for a, b in pairwise(parts))
