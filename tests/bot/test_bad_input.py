"""Odd input gets a clear 4xx, never a 500 (issue 9, item 8): ids beyond what the database
holds, ids below 1, months outside the calendar the back end can compute with."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pytest

from bot.core.dates import MONTH_PATTERN, parse_month
from bot.core.schemas import MAX_ID
from tests.bot.api_helpers import expect_error

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

MARKO = {"conversation_id": "conv-odd", "account_number": "100002", "date_of_birth": "1979-11-02"}
HEADERS = {"X-Conversation-Id": "conv-odd"}
BASE = "/api/v1/accounts/100002"
TOO_BIG = [2**31, 2**63, 2**70, 10**30]  # PostgreSQL integer: 2**31 - 1, SQLite: 2**63 - 1
NOT_IDS = [*TOO_BIG, 0, -1]
HANDOFF = {"conversation_id": "conv-odd", "reason": "customer_request"}


def _verified(client: TestClient) -> None:
    assert client.post("/api/v1/verifications", json=MARKO).json()["status"] == "verified"


def _key(name: str) -> dict[str, str]:
    return {**HEADERS, "Idempotency-Key": f"conv-odd:{name}"}


@pytest.mark.parametrize("ticket_id", NOT_IDS)
def test_handoff_callback_and_withdraw_with_an_impossible_id_are_422(
    client: TestClient, ticket_id: int
) -> None:
    body = {"window_start": "2026-11-15T12:00:00+00:00"}
    message = expect_error(
        client.post(f"/api/v1/handoffs/{ticket_id}/callback", json=body), 422, "invalid_request"
    )
    assert message.startswith("path.ticket_id: ")
    expect_error(client.post(f"/api/v1/handoffs/{ticket_id}/withdraw"), 422, "invalid_request")


def test_the_largest_id_is_a_plain_404(client: TestClient) -> None:
    expect_error(client.post(f"/api/v1/handoffs/{MAX_ID}/withdraw"), 404, "not_found")
    answer = client.post(f"/api/v1/handoffs/{MAX_ID + 1}/withdraw")
    assert expect_error(answer, 422, "invalid_request") == (
        f"path.ticket_id: Input should be less than or equal to {MAX_ID}"
    )


@pytest.mark.parametrize("field", ["finding_id", "offer_id"])
@pytest.mark.parametrize("value", NOT_IDS)
def test_opening_a_handoff_with_an_impossible_id_is_422(
    client: TestClient, field: str, value: int
) -> None:
    answer = client.post("/api/v1/handoffs", json={**HANDOFF, field: value})
    assert expect_error(answer, 422, "invalid_request").startswith(f"{field}: ")


@pytest.mark.parametrize("finding_id", NOT_IDS)
def test_crediting_an_impossible_finding_is_422(client: TestClient, finding_id: int) -> None:
    _verified(client)
    answer = client.post(f"{BASE}/findings/{finding_id}/credit", headers=_key("credit"))
    expect_error(answer, 422, "invalid_request")


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("offer_id", NOT_IDS)
def test_answering_an_impossible_offer_is_422(
    client: TestClient, action: str, offer_id: int
) -> None:
    _verified(client)
    answer = client.post(f"{BASE}/offers/{offer_id}/{action}", headers=_key(action))
    expect_error(answer, 422, "invalid_request")


def test_disputing_an_impossible_line_is_422(client: TestClient) -> None:
    _verified(client)
    body = {"invoice_number": "INV-1", "line_id": 2**70, "reason": "never ordered it"}
    answer = client.post(f"{BASE}/disputes", json=body, headers=_key("dispute"))
    assert expect_error(answer, 422, "invalid_request").startswith("line_id: ")


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "0001-01", "2026-13", "2026-00"])
@pytest.mark.parametrize("route", ["/invoices?month={}", "/charges?amount=9.99&month={}"])
def test_a_month_outside_the_calendar_is_422(client: TestClient, route: str, month: str) -> None:
    _verified(client)
    answer = client.get(BASE + route.format(month), headers=HEADERS)
    assert expect_error(answer, 422, "invalid_request").startswith("query.month: ")


def test_the_months_at_the_ends_of_the_range_are_answered(client: TestClient) -> None:
    _verified(client)
    for month in ("1900-01", "2999-12"):
        answer = client.get(f"{BASE}/invoices?month={month}", headers=HEADERS)
        assert expect_error(answer, 404, "not_found") == f"no invoice for {month}"
        answer = client.get(f"{BASE}/charges?amount=9.99&month={month}", headers=HEADERS)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"charges": []}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-10", None),
        ("1900-01", None),
        ("2999-12", None),
        ("1899-12", "expected a month from 1900-01 to 2999-12"),
        ("3000-01", "expected a month from 1900-01 to 2999-12"),
        ("9999-12", "expected a month from 1900-01 to 2999-12"),
        ("2026-13", "expected YYYY-MM"),
        ("2026-1", "expected YYYY-MM"),
        ("+026-10", "expected YYYY-MM"),
        ("2026-10 ", "expected YYYY-MM"),
    ],
)
def test_parse_month(text: str, message: str | None) -> None:
    if message is None:
        assert parse_month(text) == date(int(text[:4]), int(text[5:]), 1)
        assert re.fullmatch(MONTH_PATTERN, text)
    else:
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_month(text)
        assert re.fullmatch(MONTH_PATTERN, text) is None
