"""The REST contract of docs/api.md, through FastAPI's TestClient on the seeded database."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.logging import configure_logging
from bot.settings import Settings

if TYPE_CHECKING:
    from tests.bot.conftest import FakeClock

ANA = {"conversation_id": "conv-ana", "account_number": "100001", "date_of_birth": "1985-03-14"}
ANA_HEADERS = {"X-Conversation-Id": "conv-ana"}


def _verify_ana(client: TestClient) -> None:
    response = client.post("/api/v1/verifications", json=ANA)
    assert response.status_code == 200
    assert response.json()["status"] == "verified"


def _error(response: Any, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return dict(body["error"])


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/health", headers={"Authorization": ""})
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_an_unreachable_database(tmp_path: Any) -> None:
    settings = Settings(_env_file=None, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "unavailable"}


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic dGVzdA==", "Bearer "])
def test_401_without_the_right_token(client: TestClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    if authorization is None:
        del client.headers["Authorization"]
    for method, path in [
        ("post", "/api/v1/verifications"),
        ("get", "/api/v1/accounts/100001/balance"),
        ("delete", "/api/v1/verifications/x"),
    ]:
        response = client.request(
            method.upper(), path, headers=headers, json=ANA if method == "post" else None
        )
        _error(response, 401, "unauthorized")


def test_verification_answers(client: TestClient, clock: FakeClock) -> None:
    wrong = client.post("/api/v1/verifications", json={**ANA, "date_of_birth": "1985-03-15"})
    assert wrong.json() == {
        "status": "failed",
        "attempts_left": 2,
        "locked_until": None,
        "customer": None,
    }
    unknown = client.post(
        "/api/v1/verifications",
        json={**ANA, "account_number": "999999", "postcode": "1000", "date_of_birth": None},
    )
    assert unknown.status_code == 200
    assert unknown.json() == {
        "status": "failed",
        "attempts_left": 2,
        "locked_until": None,
        "customer": None,
    }
    ok = client.post("/api/v1/verifications", json=ANA)
    assert ok.json() == {
        "status": "verified",
        "attempts_left": None,
        "locked_until": None,
        "customer": {"first_name": "Ana", "account_number": "100001"},
    }


def test_lock_is_reported_with_its_end_in_utc(client: TestClient) -> None:
    for _ in range(3):
        last = client.post("/api/v1/verifications", json={**ANA, "date_of_birth": "2000-01-01"})
    assert last.json() == {
        "status": "locked",
        "attempts_left": 0,
        "locked_until": "2026-11-15T10:15:00Z",
        "customer": None,
    }
    assert (
        client.post("/api/v1/verifications", json={**ANA, "conversation_id": "new"}).json()[
            "status"
        ]
        == "locked"
    )


def test_403_before_verification_and_for_unknown_accounts(client: TestClient) -> None:
    for path in [
        "",
        "/balance",
        "/invoices",
        "/invoices/latest",
        "/invoices/INV-100001-202611",
        "/payments",
    ]:
        _error(
            client.get(f"/api/v1/accounts/100001{path}", headers=ANA_HEADERS), 403, "not_verified"
        )
    _verify_ana(client)
    _error(client.get("/api/v1/accounts/100001/balance"), 403, "not_verified")  # no header
    _error(client.get("/api/v1/accounts/100002/balance", headers=ANA_HEADERS), 403, "not_verified")
    _error(client.get("/api/v1/accounts/999999/balance", headers=ANA_HEADERS), 403, "not_verified")
    _error(client.get("/api/v1/accounts/abc/balance", headers=ANA_HEADERS), 403, "not_verified")
    _error(
        client.get("/api/v1/accounts/100001/balance", headers={"X-Conversation-Id": "other"}),
        403,
        "not_verified",
    )


def test_verified_session_ends_with_delete_and_after_an_hour(
    client: TestClient, clock: FakeClock
) -> None:
    _verify_ana(client)
    assert client.get("/api/v1/accounts/100001/balance", headers=ANA_HEADERS).status_code == 200
    assert client.delete("/api/v1/verifications/conv-ana").status_code == 204
    assert client.delete("/api/v1/verifications/conv-ana").status_code == 204
    _error(client.get("/api/v1/accounts/100001/balance", headers=ANA_HEADERS), 403, "not_verified")
    _verify_ana(client)
    clock.advance(minutes=60)
    _error(client.get("/api/v1/accounts/100001/balance", headers=ANA_HEADERS), 403, "not_verified")


def test_account_balance_invoices_payments_happy_paths(client: TestClient) -> None:
    _verify_ana(client)
    account = client.get("/api/v1/accounts/100001", headers=ANA_HEADERS).json()
    assert account["plan"] == {"name": "Fiber 300", "monthly_price": "39.90", "currency": "EUR"}
    assert account["contract"]["promo_end_date"] == "2026-09-30"
    balance = client.get("/api/v1/accounts/100001/balance", headers=ANA_HEADERS).json()
    assert balance == {
        "balance": "54.17",
        "currency": "EUR",
        "overdue": "0.00",
        "next_due_date": "2026-11-30",
        "last_payment": {"date": "2026-10-15", "amount": "36.48"},
        "latest_invoice": {
            "number": "INV-100001-202611",
            "total": "54.17",
            "due_date": "2026-11-30",
            "status": "open",
        },
    }
    invoices = client.get(
        "/api/v1/accounts/100001/invoices", params={"limit": 2}, headers=ANA_HEADERS
    ).json()["invoices"]
    assert invoices[0] == {
        "number": "INV-100001-202611",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "issue_date": "2026-11-01",
        "due_date": "2026-11-30",
        "total": "54.17",
        "currency": "EUR",
        "status": "open",
    }
    assert [i["total"] for i in invoices] == ["54.17", "36.48"]
    september = client.get(
        "/api/v1/accounts/100001/invoices", params={"month": "2026-09"}, headers=ANA_HEADERS
    ).json()
    assert [i["number"] for i in september["invoices"]] == ["INV-100001-202610"]
    latest = client.get("/api/v1/accounts/100001/invoices/latest", headers=ANA_HEADERS).json()
    assert latest["number"] == "INV-100001-202611"
    assert isinstance(latest["lines"][0].pop("id"), int)
    assert latest["lines"][0] == {
        "kind": "plan_charge",
        "description": "Fiber 300, October 2026",
        "quantity": "1",
        "unit_price": "39.90",
        "amount": "39.90",
        "explanation": "Your monthly Fiber 300 plan for 1–31 October 2026.",
    }
    by_number = client.get(
        "/api/v1/accounts/100001/invoices/INV-100001-202610", headers=ANA_HEADERS
    ).json()
    assert (by_number["total"], by_number["status"], by_number["lines"][1]["kind"]) == (
        "36.48",
        "paid",
        "discount",
    )
    payments = client.get("/api/v1/accounts/100001/payments", headers=ANA_HEADERS).json()[
        "payments"
    ]
    assert len(payments) == 5
    assert payments[0] == {
        "date": "2026-10-15",
        "amount": "36.48",
        "currency": "EUR",
        "method": "card",
        "invoice_number": "INV-100001-202610",
    }


def test_404_for_unknown_invoice_month_and_route(client: TestClient) -> None:
    _verify_ana(client)
    _error(
        client.get("/api/v1/accounts/100001/invoices/INV-100001-190001", headers=ANA_HEADERS),
        404,
        "not_found",
    )
    _error(
        client.get(
            "/api/v1/accounts/100001/invoices", params={"month": "2019-01"}, headers=ANA_HEADERS
        ),
        404,
        "not_found",
    )
    _error(client.get("/api/v1/nothing-here"), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_id": "c", "account_number": "100001"},
        {"conversation_id": "c", "account_number": "100001", "date_of_birth": "14.03.1985"},
        {"conversation_id": "c", "account_number": "1", "postcode": "1000"},
        {"account_number": "100001", "postcode": "1000"},
        ["not", "an", "object"],
    ],
)
def test_422_malformed_body_in_the_documented_shape(client: TestClient, body: Any) -> None:
    error = _error(client.post("/api/v1/verifications", json=body), 422, "invalid_request")
    assert "14.03.1985" not in error["message"]  # the input is not echoed back


def test_422_malformed_query(client: TestClient) -> None:
    _verify_ana(client)
    for params in [{"limit": 0}, {"limit": "x"}, {"month": "2026-13"}, {"month": "October"}]:
        _error(
            client.get("/api/v1/accounts/100001/invoices", params=params, headers=ANA_HEADERS),
            422,
            "invalid_request",
        )


def test_500_has_no_stack_trace(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.billing import accounts

    def explode(*_args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(accounts, "balance", explode)
    _verify_ana(client)
    error = _error(
        client.get("/api/v1/accounts/100001/balance", headers=ANA_HEADERS), 500, "internal_error"
    )
    assert "secret" not in error["message"]


def test_500_is_json_and_logged_with_the_served_logging(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the logging `bot serve` sets up (our handler, the private record factory); the
    conftest puts logging back afterwards."""
    from bot.billing import accounts

    def explode(*_args: object) -> None:
        raise RuntimeError("secret internals")

    configure_logging("json", "INFO")
    monkeypatch.setattr(accounts, "balance", explode)
    _verify_ana(client)
    response = client.get("/api/v1/accounts/100001/balance", headers=ANA_HEADERS)
    _error(response, 500, "internal_error")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    failed = [line for line in lines if line["event"] == "request.failed"]
    assert len(failed) == 1
    assert failed[0]["error_type"] == "RuntimeError"
    done = [line for line in lines if line["event"] == "request.done"]
    assert done[-1]["route"] == "/api/v1/accounts/{acct}/balance"
    assert done[-1]["status_code"] == 500


def test_openapi_lists_every_route(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert paths >= {  # other capabilities add their own routes
        "/health",
        "/api/v1/verifications",
        "/api/v1/verifications/{conversation_id}",
        "/api/v1/accounts/{acct}",
        "/api/v1/accounts/{acct}/balance",
        "/api/v1/accounts/{acct}/invoices",
        "/api/v1/accounts/{acct}/invoices/latest",
        "/api/v1/accounts/{acct}/invoices/{invoice_number}",
        "/api/v1/accounts/{acct}/payments",
        "/api/v1/accounts/{acct}/invoices/latest/changes",
        "/api/v1/accounts/{acct}/invoices/{invoice_number}/changes",
        "/api/v1/accounts/{acct}/charges",
        "/api/v1/accounts/{acct}/step-up",
        "/api/v1/accounts/{acct}/step-up/channels",
        "/api/v1/accounts/{acct}/step-up/codes",
        "/api/v1/accounts/{acct}/step-up/verify",
        "/api/v1/accounts/{acct}/reviews",
        "/api/v1/accounts/{acct}/findings",
        "/api/v1/accounts/{acct}/findings/{finding_id}/credit",
        "/api/v1/accounts/{acct}/disputes",
    }


def test_405_in_the_error_shape(client: TestClient) -> None:
    _error(client.put("/api/v1/verifications", json=ANA), 405, "method_not_allowed")


def test_request_log_names_the_route_not_the_account(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    _verify_ana(client)
    with caplog.at_level("INFO", logger="bot.api"):
        client.get("/api/v1/accounts/100001/balance", headers=ANA_HEADERS)
    routes = [getattr(record, "route", None) for record in caplog.records]
    assert routes == ["/api/v1/accounts/{acct}/balance"]
    assert "100001" not in caplog.text
