"""Entities by rules: what a number is follows from how it is written."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.billing_entities import BillingEntityExtractor, find_entities


def entities(text: str) -> list[tuple[str, str]]:
    return [(f.entity, f.value) for f in find_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my account is 100001, why is my bill so high", [("account_number", "100001")]),
        ("100001", [("account_number", "100001")]),
        ("9999", [("postcode", "9999")]),
        ("1111", [("postcode", "1111")]),
        ("account 100002 and postcode 2000", [("account_number", "100002"), ("postcode", "2000")]),
        ("what is the 9.99 charge", [("amount", "9.99")]),
        ("what's the €4,50 line", [("amount", "4.50")]),
        ("12 eur fee?", [("amount", "12.00")]),
        ("I paid 30 euros", [("amount", "30.00")]),
        ("why 54.17 on 100001", [("amount", "54.17"), ("account_number", "100001")]),
        ("explain my September bill", [("month", "September")]),
        ("due in dec", [("month", "December")]),
        ("my sept invoice", [("month", "September")]),
        ("explain the 2026-09 invoice", [("month", "2026-09")]),
        ("my May bill", [("month", "May")]),
        ("what did I pay in may", [("month", "May")]),
        ("14.03.1985", [("date", "14.03.1985")]),
        ("1985-03-14", [("date", "1985-03-14")]),
        ("the 3/14/85", [("date", "3/14/85")]),
        ("March 14th, 1985", [("date", "March 14th, 1985")]),
        ("born 14 March 1985 postcode 1000", [("date", "14 March 1985"), ("postcode", "1000")]),
    ],
)
def test_each_kind_of_value_is_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert entities(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("koliko je 54,17 €", [("amount", "54.17")]),
        ("54,17 eur", [("amount", "54.17")]),
        ("plačal sem 54 evrov", [("amount", "54.00")]),
        ("kaj je ta 2 evra", [("amount", "2.00")]),
        ("€ 9,99 na računu", [("amount", "9.99")]),
        ("račun za novembra", [("month", "November")]),
        ("razloži račun za oktober", [("month", "October")]),
        ("kaj sem plačal v septembru", [("month", "September")]),
        ("oktobrski račun", [("month", "October")]),
        ("zakaj je marčevska položnica višja", [("month", "March")]),
        ("marcevski racun", [("month", "March")]),
        ("za avg", [("month", "August")]),
        ("14. 3. 1985", [("date", "14. 3. 1985")]),
        ("14.3.1985", [("date", "14.3.1985")]),
        ("14. marec 1985", [("date", "14. marec 1985")]),
        ("rojena 14. marca 1985", [("date", "14. marca 1985")]),
        ("poštna številka 1000", [("postcode", "1000")]),
        ("2000 Maribor", [("postcode", "2000")]),
        (
            "moj račun je 100001, zakaj je račun za oktober 54,17 €",
            [("account_number", "100001"), ("month", "October"), ("amount", "54.17")],
        ),
    ],
)
def test_slovenian_values_are_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert entities(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "may I pay later?",
        "why is my bill so high",
        "1234567",  # seven digits: neither an account number nor a postcode
        "12345",
        "call me at 041 123 456",  # groups of three are no account number
        "",
    ],
)
def test_nothing_is_invented(text: str) -> None:
    assert [e for e, _ in entities(text) if e in ("account_number", "postcode", "month")] == []


def test_a_date_never_yields_a_postcode_or_account_number() -> None:
    for text in (
        "14.03.1985",
        "1985-03-14",
        "14 March 1985",
        "14/3/1985",
        "14 07 1961",
        "14071961",
        "14. 3. 1985",
        "14. marca 1985",
        "14. marec 1985",
    ):
        assert {e for e, _ in entities(text)} == {"date"}


def test_spans_point_at_the_value_in_the_text() -> None:
    text = "account 100001, the 9.99 charge"
    for found in find_entities(text):
        assert found.value in text[found.start : found.end] or found.entity == "amount"
    assert [text[f.start : f.end] for f in find_entities(text)] == ["100001", "9.99"]


def test_the_component_adds_entities_and_keeps_existing_ones() -> None:
    message = Message(
        data={TEXT: "my account is 100001", ENTITIES: [{"entity": "x", "value": "y"}]}
    )
    BillingEntityExtractor().process([message])
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES)] == [
        ("x", "y"),
        ("account_number", "100001"),
    ]
    assert message.get(ENTITIES)[1]["extractor"] == "BillingEntityExtractor"
