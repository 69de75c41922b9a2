"""Amounts and dates per language (Babel), and language codes from the outside world."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from i18n import date_long, date_short, from_accept_language, money, month_year, normalise_language
from i18n.formats import day_month


@pytest.mark.parametrize(
    ("amount", "language", "expected"),
    [
        ("54.17", "sl", "54,17 €"),
        ("54.17", "en", "54.17 EUR"),
        ("1234.5", "sl", "1.234,50 €"),
        ("-10", "sl", "-10,00 €"),
        ("-10", "en", "-10.00 EUR"),
        ("39.9", None, "39.90 EUR"),
        ("0", "sl", "0,00 €"),
    ],
)
def test_money(amount: str, language: str | None, expected: str) -> None:
    assert money(amount, language) == expected


def test_dates_in_slovenian_decline_the_month() -> None:
    assert date_short("2026-11-30", "sl") == "30. 11. 2026"
    assert date_long("2026-11-30", "sl") == "30. novembra 2026"
    assert date_long(date(1985, 3, 14), "sl") == "14. marca 1985"
    assert month_year("2026-10-01", "sl") == "oktober 2026"
    assert day_month("2026-03-15", "sl") == "15. marca"  # the start of a range, no year


def test_dates_in_english_as_the_product_always_wrote_them() -> None:
    assert date_short("2026-11-30T10:00:00Z", "en") == "30 Nov 2026"
    assert date_long("2026-11-30", "en") == "30 November 2026"
    assert month_year("2026-10-01", "en") == "October 2026"
    assert day_month(datetime(2026, 3, 15, 23, 0), "en") == "15 March"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sl", "sl"),
        ("sl-SI", "sl"),
        ("en_US", "en"),
        ("EN", "en"),
        ("slovenščina", "sl"),
        ("English", "en"),
        ("de", None),
        ("", None),
        (None, None),
        (42, None),
        ("x" * 10_000, None),
    ],
)
def test_normalise_language(value: object, expected: str | None) -> None:
    assert normalise_language(value) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("sl", "sl"),
        ("sl-SI,sl;q=0.9,en;q=0.8", "sl"),
        ("de, en;q=0.4, sl;q=0.5", "sl"),
        ("fr", "en"),
        ("sl;q=0", "en"),
        ("sl;q=abc, en", "en"),
        ("," * 5000, "en"),
    ],
)
def test_accept_language(header: str | None, expected: str) -> None:
    assert from_accept_language(header) == expected
