from __future__ import annotations

from datetime import date

import pytest

from actions.identity_input import (
    find_account_number,
    find_invoice_amount,
    find_knowledge_factor,
    parse_date,
)

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    "text",
    [
        "14 March 1985",
        "14.3.1985",
        "14.03.1985",
        "1985-03-14",
        "March 14th 85",
        "14/03/1985",
        "3/14/1985",
        "the 14th of March 1985",
        "march 14, 1985",
        "14 mar 85",
        "born 14. 3. 1985",
        "MARCH 14TH 1985",
    ],
)
def test_the_usual_ways_of_writing_a_birth_date(text: str) -> None:
    assert parse_date(text, today=TODAY) == date(1985, 3, 14)


def test_two_digit_years_are_not_in_the_future() -> None:
    assert parse_date("9.1.01", today=TODAY) == date(2001, 1, 9)
    assert parse_date("2.11.79", today=TODAY) == date(1979, 11, 2)


@pytest.mark.parametrize("text", ["31.2.1985", "March 1985", "hello", "14 Smarch 1985", "100001"])
def test_not_a_full_valid_date(text: str) -> None:
    assert parse_date(text, today=TODAY) is None


def test_postcode_only_when_expected() -> None:
    factor = find_knowledge_factor("post code 3000", today=TODAY, postcode_expected=True)
    assert factor is not None
    assert (factor.kind, factor.value) == ("postcode", "3000")
    assert find_knowledge_factor("post code 3000", today=TODAY, postcode_expected=False) is None


def test_a_date_wins_over_a_postcode() -> None:
    factor = find_knowledge_factor("dob 21 jul 1992", today=TODAY, postcode_expected=True)
    assert factor is not None
    assert (factor.kind, factor.value) == ("date_of_birth", "1992-07-21")


def test_account_numbers_are_exactly_six_digits() -> None:
    assert find_account_number("acc no. 104567") == "104567"
    assert find_account_number("1045678") is None
    assert find_account_number("10456") is None


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("54.17", "54.17"),
        ("54,17", "54.17"),
        ("€54.17", "54.17"),
        ("54.17 eur", "54.17"),
        ("EUR 54,1", "54.10"),
        ("it was 129 euros", "129.00"),
        ("the total was €7.05 i think", "7.05"),
    ],
)
def test_the_usual_ways_of_writing_an_invoice_total(text: str, amount: str) -> None:
    assert find_invoice_amount(text) == amount


@pytest.mark.parametrize("text", ["54.175", "14.3.1985", "no idea", "1.234.567"])
def test_no_invoice_total_in_longer_numbers_dates_or_words(text: str) -> None:
    assert find_invoice_amount(text) is None
