from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.dates import add_months, format_day, format_range, month_end, months_between
from bot.core.money import (
    format_amount,
    format_money,
    format_quantity,
    parse_amount,
    percent_of,
    prorate,
    round_to_cents,
    to_decimal,
)


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (3990, "39.90"),
        (0, "0.00"),
        (5, "0.05"),
        (-1000, "-10.00"),
        (-5, "-0.05"),
        (123456, "1234.56"),
    ],
)
def test_format_amount(cents: int, text: str) -> None:
    assert format_amount(cents) == text


def test_format_money_adds_the_currency() -> None:
    assert format_money(450) == "4.50 EUR"


@pytest.mark.parametrize(
    ("text", "cents"), [("39.90", 3990), ("5", 500), (" 0.5 ", 50), ("-10.00", -1000)]
)
def test_parse_amount(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1,50", "1e3", "NaN", "--1"])
def test_parse_amount_refuses_non_amounts(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(text)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_parse_inverts_format(cents: int) -> None:
    assert parse_amount(format_amount(cents)) == cents
    assert to_decimal(cents) == Decimal(format_amount(cents))


def test_rounding_is_half_up_not_bankers() -> None:
    assert round_to_cents(Decimal("0.125")) == 13
    assert round_to_cents(Decimal("0.135")) == 14
    assert round_to_cents(Decimal("-0.125")) == -13
    assert percent_of(4440, Decimal("0.22")) == 977  # 9.768
    assert percent_of(2990, Decimal("0.22")) == 658  # 6.578
    assert percent_of(2500, Decimal("0.22")) == 550


def test_prorate() -> None:
    assert prorate(3990, 17, 31) == 2188  # 21.8806...
    assert prorate(3990, 31, 31) == 3990


def test_format_quantity() -> None:
    assert format_quantity(Decimal("3.0000")) == "3"
    assert format_quantity(Decimal("0.5484")) == "0.5484"
    assert format_quantity(Decimal("100")) == "100"
    assert format_quantity(Decimal("0.0000")) == "0"


def test_dates() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 1), -13) == date(2025, 10, 1)
    assert month_end(date(2028, 2, 3)) == date(2028, 2, 29)
    assert months_between(date(2025, 10, 1), date(2026, 10, 1)) == 12
    assert format_day(date(2026, 8, 31)) == "31 August 2026"
    assert format_range(date(2026, 10, 1), date(2026, 10, 31)) == "1–31 October 2026"
    assert format_range(date(2026, 3, 15), date(2026, 4, 14)) == "15 March – 14 April 2026"
    assert format_range(date(2025, 12, 5), date(2026, 1, 4)) == "5 December 2025 – 4 January 2026"
