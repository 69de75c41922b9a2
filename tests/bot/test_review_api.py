"""The review, findings and credit routes over HTTP: Marko's duplicate, end to end."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.api.app import create_app
from bot.billing.models import Adjustment
from tests.bot.api_helpers import expect_error
from tests.bot.conftest import TOKEN
from tests.bot.safety_helpers import latest_outbox_code

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Engine

    from bot.settings import Settings
    from tests.bot.conftest import FakeClock

MARKO = {"conversation_id": "conv-m", "account_number": "100002", "date_of_birth": "1979-11-02"}
HEADERS = {"X-Conversation-Id": "conv-m"}
BASE = "/api/v1/accounts/100002"


def _key(name: str) -> dict[str, str]:
    return {**HEADERS, "Idempotency-Key": f"conv-m:{name}"}


def _review(client: TestClient) -> dict[str, Any]:
    assert client.post("/api/v1/verifications", json=MARKO).json()["status"] == "verified"
    response = client.post(f"{BASE}/reviews", headers=_key("review:1"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _step_up(client: TestClient, engine: Engine) -> None:
    channel = client.get(f"{BASE}/step-up/channels", headers=HEADERS).json()["channels"][1]
    assert channel["masked"] == "+386 *** *** 100"
    sent = client.post(
        f"{BASE}/step-up/codes", json={"channel_id": channel["id"]}, headers=_key("code:1")
    )
    assert sent.status_code == 201
    with Session(engine) as session:
        code = latest_outbox_code(session)
    assert (
        client.post(f"{BASE}/step-up/verify", json={"code": code}, headers=HEADERS).json()["status"]
        == "verified"
    )


def _credits(engine: Engine) -> int:
    with Session(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Adjustment)
                .where(Adjustment.reason.like("Correction%"))
            )
            or 0
        )


def test_marko_review_step_up_credit_and_retry(client: TestClient, seeded_db: Engine) -> None:
    review = _review(client)
    assert review["rules"] == [
        "duplicate_charge",
        "late_fee_paid_on_time",
        "charge_after_cancellation",
        "promo_not_applied",
        "above_contract_price",
    ]
    (finding,) = review["findings"]
    assert (finding["rule"], finding["amount"], finding["status"], finding["bot_can_credit"]) == (
        "duplicate_charge",
        "12.18",
        "open",
        True,
    )
    credit_url = f"{BASE}/findings/{finding['id']}/credit"
    expect_error(client.post(credit_url, headers=_key("credit:1")), 403, "step_up_required")
    expect_error(client.post(credit_url, headers=HEADERS), 422, "invalid_request")  # no key
    _step_up(client, seeded_db)
    first = client.post(credit_url, headers=_key("credit:1"))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "credited"
    assert body["credit"]["amount"] == "12.18"
    assert body["credit"]["invoice_number"] == "INV-100002-202611"
    retry = client.post(credit_url, headers=_key("credit:1"))
    assert (retry.status_code, retry.json(), retry.headers["Idempotent-Replayed"]) == (
        201,
        body,
        "true",
    )
    expect_error(client.post(credit_url, headers=_key("credit:2")), 409, "already_credited")
    assert _credits(seeded_db) == 1
    findings = client.get(f"{BASE}/findings", headers=HEADERS).json()["findings"]
    assert [(f["status"], f["bot_can_credit"]) for f in findings] == [("credited", False)]
    assert client.get(f"{BASE}/findings", params={"status": "open"}, headers=HEADERS).json() == {
        "findings": []
    }
    balance = client.get(f"{BASE}/balance", headers=HEADERS).json()["balance"]
    assert balance == body["balance"]


def test_review_is_idempotent_and_a_conflicting_body_is_409(client: TestClient) -> None:
    first = _review(client)
    again = client.post(f"{BASE}/reviews", headers=_key("review:1"))
    assert again.json() == first
    assert again.headers["Idempotent-Replayed"] == "true"
    conflict = client.post(
        f"{BASE}/reviews", json={"invoice_number": "INV-100002-202610"}, headers=_key("review:1")
    )
    expect_error(conflict, 409, "idempotency_conflict")
    one = client.post(
        f"{BASE}/reviews", json={"invoice_number": "INV-100002-202610"}, headers=_key("review:2")
    )
    assert (one.json()["invoices_checked"], one.json()["findings"]) == (1, [])
    expect_error(
        client.post(f"{BASE}/reviews", json={"invoice_number": "INV-1"}, headers=_key("review:3")),
        404,
        "not_found",
    )


def test_review_routes_need_verification(client: TestClient) -> None:
    expect_error(client.post(f"{BASE}/reviews", headers=_key("review:1")), 403, "not_verified")
    expect_error(client.get(f"{BASE}/findings", headers=HEADERS), 403, "not_verified")
    expect_error(
        client.post(f"{BASE}/findings/1/credit", headers=_key("credit:1")), 403, "not_verified"
    )


def _client_with_limit(
    settings: Settings, clock: FakeClock, limit: Decimal
) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"bot_credit_limit": limit}), clock=clock)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {TOKEN}"
        yield test_client
    app.state.engine.dispose()


def test_beyond_authority_is_409_and_escalates(
    api_settings: Settings, clock: FakeClock, seeded_db: Engine
) -> None:
    for client in _client_with_limit(api_settings, clock, Decimal("10.00")):
        (finding,) = _review(client)["findings"]
        assert finding["bot_can_credit"] is False
        credit_url = f"{BASE}/findings/{finding['id']}/credit"
        expect_error(client.post(credit_url, headers=_key("credit:1")), 409, "beyond_authority")
        expect_error(client.post(credit_url, headers=_key("credit:1")), 409, "beyond_authority")
        findings = client.get(f"{BASE}/findings", headers=HEADERS).json()["findings"]
        assert [f["status"] for f in findings] == ["escalated"]
    assert _credits(seeded_db) == 0
