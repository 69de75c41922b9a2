"""Step-up routes and `bot outbox`, through the HTTP API on the seeded database."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bot.cli import app
from bot.safety.models import IdempotencyRecord, StepUpChallenge
from bot.settings import get_settings
from tests.bot.api_helpers import expect_error
from tests.bot.safety_helpers import code_in, latest_outbox_code

if TYPE_CHECKING:
    import pytest
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock

ANA = {"conversation_id": "conv-ana", "account_number": "100001", "date_of_birth": "1985-03-14"}
HEADERS = {"X-Conversation-Id": "conv-ana"}
BASE = "/api/v1/accounts/100001/step-up"


def _verified(client: TestClient) -> None:
    assert client.post("/api/v1/verifications", json=ANA).json()["status"] == "verified"


def _email(client: TestClient) -> str:
    channels = client.get(f"{BASE}/channels", headers=HEADERS).json()["channels"]
    return str(channels[0]["id"])


def test_every_step_up_route_needs_the_verified_conversation(client: TestClient) -> None:
    key = {"Idempotency-Key": "conv-ana:code:1"}
    expect_error(client.get(f"{BASE}/channels", headers=HEADERS), 403, "not_verified")
    expect_error(client.get(BASE, headers=HEADERS), 403, "not_verified")
    expect_error(
        client.post(f"{BASE}/codes", json={"channel_id": "x"}, headers={**HEADERS, **key}),
        403,
        "not_verified",
    )
    expect_error(
        client.post(f"{BASE}/verify", json={"code": "123456"}, headers=HEADERS), 403, "not_verified"
    )


def test_channels_code_verify_round_trip(client: TestClient, seeded_db: Engine) -> None:
    _verified(client)
    channels = client.get(f"{BASE}/channels", headers=HEADERS).json()
    assert [(c["kind"], c["masked"]) for c in channels["channels"]] == [
        ("email", "a***@example.com"),
        ("sms", "+386 *** *** 100"),
    ]
    assert client.get(BASE, headers=HEADERS).json() == {"stepped_up": False, "valid_until": None}
    headers = {**HEADERS, "Idempotency-Key": "conv-ana:step-up-code:1"}
    sent = client.post(f"{BASE}/codes", json={"channel_id": _email(client)}, headers=headers)
    assert sent.status_code == 201, sent.text
    assert sent.json() == {
        "status": "sent",
        "channel": channels["channels"][0],
        "expires_at": "2026-11-15T10:05:00Z",
    }
    with Session(seeded_db) as session:
        code = latest_outbox_code(session)
    wrong = client.post(
        f"{BASE}/verify", json={"code": "000000" if code != "000000" else "1" * 6}, headers=HEADERS
    )
    assert wrong.json() == {"status": "failed", "attempts_left": 2, "valid_until": None}
    ok = client.post(f"{BASE}/verify", json={"code": f"{code[:3]} {code[3:]}"}, headers=HEADERS)
    assert ok.json() == {
        "status": "verified",
        "attempts_left": None,
        "valid_until": "2026-11-15T10:15:00Z",
    }
    assert client.get(BASE, headers=HEADERS).json() == {
        "stepped_up": True,
        "valid_until": "2026-11-15T10:15:00Z",
    }


def test_code_request_is_idempotent(client: TestClient, seeded_db: Engine) -> None:
    _verified(client)
    body = {"channel_id": _email(client)}
    headers = {**HEADERS, "Idempotency-Key": "conv-ana:step-up-code:1"}
    first = client.post(f"{BASE}/codes", json=body, headers=headers)
    again = client.post(f"{BASE}/codes", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    with Session(seeded_db) as session:
        assert session.scalar(select(func.count()).select_from(StepUpChallenge)) == 1
        stored = session.scalars(select(IdempotencyRecord)).one()
        assert (stored.key, stored.route, stored.status_code) == (
            "conv-ana:step-up-code:1",
            "POST /api/v1/accounts/{acct}/step-up/codes",
            201,
        )
    other = client.post(f"{BASE}/codes", json={"channel_id": "ch_other"}, headers=headers)
    expect_error(other, 409, "idempotency_conflict")


def test_code_request_needs_an_idempotency_key_and_a_known_channel(client: TestClient) -> None:
    _verified(client)
    expect_error(
        client.post(f"{BASE}/codes", json={"channel_id": _email(client)}, headers=HEADERS),
        422,
        "invalid_request",
    )
    headers = {**HEADERS, "Idempotency-Key": "conv-ana:step-up-code:2"}
    expect_error(
        client.post(f"{BASE}/codes", json={"channel_id": "ch_nope"}, headers=headers),
        404,
        "not_found",
    )
    # nothing was stored for the failure: the same key works for a good request
    assert (
        client.post(
            f"{BASE}/codes", json={"channel_id": _email(client)}, headers=headers
        ).status_code
        == 201
    )


def test_malformed_codes_are_422_and_not_counted(client: TestClient) -> None:
    _verified(client)
    for code in ["12345", "abcdef", "1234567"]:
        expect_error(
            client.post(f"{BASE}/verify", json={"code": code}, headers=HEADERS),
            422,
            "invalid_request",
        )


def test_too_many_codes_is_429(client: TestClient, clock: FakeClock) -> None:
    _verified(client)
    channel = _email(client)
    for n in range(5):
        headers = {**HEADERS, "Idempotency-Key": f"conv-ana:step-up-code:{n}"}
        assert (
            client.post(f"{BASE}/codes", json={"channel_id": channel}, headers=headers).status_code
            == 201
        )
    headers = {**HEADERS, "Idempotency-Key": "conv-ana:step-up-code:9"}
    expect_error(
        client.post(f"{BASE}/codes", json={"channel_id": channel}, headers=headers),
        429,
        "too_many_requests",
    )


def test_bot_outbox_prints_the_latest_messages(
    client: TestClient, seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _verified(client)
    headers = {**HEADERS, "Idempotency-Key": "conv-ana:step-up-code:1"}
    client.post(f"{BASE}/codes", json={"channel_id": _email(client)}, headers=headers)
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    monkeypatch.setenv("APP_ENV", "development")
    get_settings.cache_clear()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        result = CliRunner().invoke(app, ["outbox", "--limit", "1"])
    finally:
        get_settings.cache_clear()
        root.setLevel(level)
        root.handlers = handlers
    assert result.exit_code == 0, result.output
    assert "to ana.novak@example.com [queued]: Your verification code" in result.output
    assert code_in(result.output)
