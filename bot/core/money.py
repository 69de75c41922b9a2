"""Money as integer cents in storage and `Decimal` in arithmetic, never float.

The API writes amounts as strings with two decimals ("39.90") next to a currency code.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

CURRENCY: Final = "EUR"
_CENT: Final = Decimal("0.01")
_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")


def round_to_cents(value: Decimal) -> int:
    """Round a euro amount half-up (away from zero on .5) to whole cents."""
    return int((value / _CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_decimal(cents: int) -> Decimal:
    """Cents as a euro `Decimal` with two places: 3990 -> Decimal("39.90")."""
    return (Decimal(cents) * _CENT).quantize(_CENT)


def format_amount(cents: int) -> str:
    """Cents as the API's amount string: 3990 -> "39.90", -1000 -> "-10.00"."""
    return f"{to_decimal(cents):.2f}"


def format_money(cents: int, currency: str = CURRENCY) -> str:
    """Cents for a sentence: 450 -> "4.50 EUR"."""
    return f"{format_amount(cents)} {currency}"


def parse_amount(text: str) -> int:
    """An amount string ("39.90", "5", "-0.5") as cents; raises ValueError for anything else."""
    candidate = text.strip()
    if not _AMOUNT.fullmatch(candidate):
        raise ValueError(f"not an amount: {text!r}")
    try:
        return round_to_cents(Decimal(candidate))
    except InvalidOperation as error:  # pragma: no cover - the pattern already excludes these
        raise ValueError(f"not an amount: {text!r}") from error


def percent_of(cents: int, rate: Decimal) -> int:
    """`rate` (0.22 for 22 %) of an amount, rounded half-up to the cent."""
    return round_to_cents(to_decimal(cents) * rate)


def prorate(monthly_cents: int, days: int, days_in_month: int) -> int:
    """The share of a monthly price for `days` of a month, rounded half-up to the cent."""
    return round_to_cents(to_decimal(monthly_cents) * days / days_in_month)


def format_quantity(quantity: Decimal) -> str:
    """A quantity without trailing zeros or exponent: Decimal("3.000") -> "3"."""
    normalized = quantity.normalize()
    return f"{normalized:f}" if normalized != 0 else "0"
