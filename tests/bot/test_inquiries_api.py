"""GET .../invoices/{number}/changes, .../invoices/latest/changes and .../charges over HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from tests.bot.api_helpers import expect_error

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

ANA = {"conversation_id": "conv-ana", "account_number": "100001", "date_of_birth": "1985-03-14"}
HEADERS = {"X-Conversation-Id": "conv-ana"}
BASE = "/api/v1/accounts/100001"


def test_reads_need_verification(client: TestClient) -> None:
    for path in [
        "/invoices/latest/changes",
        "/invoices/INV-100001-202611/changes",
        "/charges?amount=4.50",
    ]:
        expect_error(client.get(BASE + path, headers=HEADERS), 403, "not_verified")


def test_latest_changes_for_ana(client: TestClient) -> None:
    client.post("/api/v1/verifications", json=ANA)
    body = client.get(f"{BASE}/invoices/latest/changes", headers=HEADERS).json()
    same = client.get(f"{BASE}/invoices/INV-100001-202611/changes", headers=HEADERS).json()
    assert body == same
    assert {k: v for k, v in body.items() if k != "changes"} == {
        "invoice_number": "INV-100001-202611",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "previous_invoice_number": "INV-100001-202610",
        "previous_period_start": "2026-09-01",
        "previous_period_end": "2026-09-30",
        "currency": "EUR",
        "previous_total": "36.48",
        "total": "54.17",
        "difference": "17.69",
    }
    assert [(c["cause"], c["amount"]) for c in body["changes"]] == [
        ("promo_ended", "10.00"),
        ("usage_overage", "4.50"),
        ("tax_change", "3.19"),
    ]
    assert sum(Decimal(c["amount"]) for c in body["changes"]) == Decimal(body["difference"])
    line_ids = {
        line["id"]
        for line in client.get(f"{BASE}/invoices/latest", headers=HEADERS).json()["lines"]
    }
    assert {i for c in body["changes"] for i in c["line_ids"]} <= line_ids


def test_changes_errors(client: TestClient) -> None:
    client.post("/api/v1/verifications", json=ANA)
    expect_error(
        client.get(f"{BASE}/invoices/INV-100001-190001/changes", headers=HEADERS), 404, "not_found"
    )
    expect_error(
        client.get(f"{BASE}/invoices/INV-100001-202510/changes", headers=HEADERS), 404, "not_found"
    )


def test_charges(client: TestClient) -> None:
    client.post("/api/v1/verifications", json=ANA)
    found = client.get(f"{BASE}/charges", params={"amount": "4.50"}, headers=HEADERS).json()
    assert [(c["invoice_number"], c["kind"], c["origin"]["type"]) for c in found["charges"]] == [
        ("INV-100001-202611", "usage_overage", "usage")
    ]
    by_text = client.get(
        f"{BASE}/charges", params={"text": "discount", "month": "2026-09"}, headers=HEADERS
    ).json()
    assert [(c["amount"], c["period_start"], c["period_end"]) for c in by_text["charges"]] == [
        ("-10.00", "2026-09-01", "2026-09-30")
    ]
    nothing = client.get(f"{BASE}/charges", params={"amount": "123.45"}, headers=HEADERS)
    assert nothing.json() == {"charges": []}


@pytest.mark.parametrize(
    "params",
    [{}, {"amount": "9,99"}, {"amount": "abc"}, {"text": ""}, {"amount": "1", "month": "2026-13"}],
)
def test_charges_422(client: TestClient, params: dict[str, str]) -> None:
    client.post("/api/v1/verifications", json=ANA)
    expect_error(
        client.get(f"{BASE}/charges", params=params, headers=HEADERS), 422, "invalid_request"
    )
