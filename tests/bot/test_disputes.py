"""Disputes: open one on a line (idempotent), list them, the agents' list across accounts."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.billing import accounts
from bot.core.errors import AlreadyDisputed, NotFound
from bot.core.language import Language
from bot.core.texts import Texts
from bot.disputes import service
from bot.disputes.schemas import DisputeIn
from bot.safety.models import AuditEntry
from tests.bot.api_helpers import expect_error
from tests.bot.conftest import AS_OF, NOW
from tests.bot.safety_helpers import context

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy.orm import Session

    from tests.bot.conftest import FakeClock

REASON = "I never ordered roaming twice, my neighbour Jana can confirm"
ANA = {"conversation_id": "conv-ana", "account_number": "100001", "date_of_birth": "1985-03-14"}
HEADERS = {"X-Conversation-Id": "conv-ana"}


def _usage_line(session: Session) -> int:
    ana = context(session, "100001", NOW).account
    detail = accounts.invoice_detail(session, ana, AS_OF, "INV-100001-202611")
    return next(line.id for line in detail.lines if line.kind == "usage_overage")


def test_open_list_and_refuse_a_second_open_dispute(
    seeded_session: Session, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    line_id = _usage_line(seeded_session)
    ctx = context(seeded_session, "100001", clock(), key="conv-ana:dispute:1")
    body = DisputeIn(invoice_number="INV-100001-202611", line_id=line_id, reason=f"  {REASON} ")
    with caplog.at_level(logging.DEBUG):
        result = service.create_dispute(seeded_session, ctx, body)
    assert result.status_code == 201
    assert {
        k: v for k, v in result.body.items() if k not in {"id", "created_at", "updated_at"}
    } == {
        "status": "open",
        "invoice_number": "INV-100001-202611",
        "line_id": line_id,
        "line_description": "Extra data, 3 GB",
        "amount": "4.50",
        "currency": "EUR",
        "reason": REASON,
    }
    assert "Jana" not in caplog.text
    audit = seeded_session.scalars(select(AuditEntry)).one()
    assert audit.action == "dispute.opened"
    assert "Jana" not in str(audit.details) + audit.reason
    assert service.create_dispute(seeded_session, ctx, body).replayed
    other = context(seeded_session, "100001", clock(), key="conv-ana:dispute:2")
    with pytest.raises(AlreadyDisputed):
        service.create_dispute(seeded_session, other, body)
    listed = service.list_disputes(seeded_session, ctx.account).disputes
    assert [(d.id, d.status) for d in listed] == [(result.body["id"], "open")]
    (waiting,) = service.open_disputes(seeded_session)
    assert (waiting.account_number, waiting.id) == ("100001", result.body["id"])


def test_a_line_of_another_account_or_invoice_is_not_found(
    seeded_session: Session, clock: FakeClock
) -> None:
    line_id = _usage_line(seeded_session)
    marko = context(seeded_session, "100002", clock(), key="conv-m:dispute:1")
    ana = context(seeded_session, "100001", clock(), key="conv-a:dispute:1")
    for ctx, number in ((marko, "INV-100001-202611"), (ana, "INV-100001-202610")):
        with pytest.raises(NotFound):
            service.create_dispute(
                seeded_session, ctx, DisputeIn(invoice_number=number, line_id=line_id, reason="x")
            )


def test_disputes_over_http(client: TestClient) -> None:
    url = "/api/v1/accounts/100001/disputes"
    key = {**HEADERS, "Idempotency-Key": "conv-ana:dispute:1"}
    expect_error(client.get(url, headers=HEADERS), 403, "not_verified")
    client.post("/api/v1/verifications", json=ANA)
    lines = client.get("/api/v1/accounts/100001/invoices/latest", headers=HEADERS).json()["lines"]
    body = {"invoice_number": "INV-100001-202611", "line_id": lines[1]["id"], "reason": "not mine"}
    expect_error(client.post(url, json=body, headers=HEADERS), 422, "invalid_request")
    created = client.post(url, json=body, headers=key)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "open"
    assert client.post(url, json=body, headers=key).json() == created.json()
    expect_error(
        client.post(url, json={**body, "reason": "other"}, headers=key), 409, "idempotency_conflict"
    )
    again = {**HEADERS, "Idempotency-Key": "conv-ana:dispute:2"}
    expect_error(client.post(url, json=body, headers=again), 409, "already_disputed")
    expect_error(client.post(url, json={**body, "line_id": 1}, headers=again), 404, "not_found")
    expect_error(
        client.post(url, json={**body, "reason": "   "}, headers=again), 422, "invalid_request"
    )
    listed = client.get(url, headers=HEADERS).json()["disputes"]
    assert [d["id"] for d in listed] == [created.json()["id"]]


def test_the_disputed_line_is_named_in_the_answers_language(client: TestClient) -> None:
    """Slovenian answers name the line from its facts (bot.billing.line_names), English ones as
    the billing system stored it; the desk's list across accounts stays English."""
    url = "/api/v1/accounts/100001/disputes"
    client.post("/api/v1/verifications", json=ANA)
    sl = {**HEADERS, "Accept-Language": "sl"}
    lines = client.get("/api/v1/accounts/100001/invoices/latest", headers=sl).json()["lines"]
    assert lines[1]["description"] == "Dodatni prenos podatkov, 3 GB"
    body = {"invoice_number": "INV-100001-202611", "line_id": lines[1]["id"], "reason": "not mine"}
    key = {**sl, "Idempotency-Key": "conv-ana:dispute:sl"}
    created = client.post(url, json=body, headers=key)
    assert created.status_code == 201, created.text
    assert created.json()["line_description"] == "Dodatni prenos podatkov, 3 GB"
    listed = client.get(url, headers=sl).json()["disputes"]
    assert [d["line_description"] for d in listed] == ["Dodatni prenos podatkov, 3 GB"]
    english = client.get(url, headers={**HEADERS, "Accept-Language": "en"}).json()["disputes"]
    assert [d["line_description"] for d in english] == ["Extra data, 3 GB"]
    assert client.get(url, headers=HEADERS).json()["disputes"] == english  # no header: English


def test_disputes_listed_in_slovenian_and_for_the_desk_in_english(
    seeded_session: Session, clock: FakeClock
) -> None:
    line_id = _usage_line(seeded_session)
    ctx = context(seeded_session, "100001", clock(), key="conv-ana:dispute:sl")
    body = DisputeIn(invoice_number="INV-100001-202611", line_id=line_id, reason="not mine")
    sl = Texts(Language.SL)
    created = service.create_dispute(seeded_session, ctx, body, sl)
    assert created.body["line_description"] == "Dodatni prenos podatkov, 3 GB"
    (listed,) = service.list_disputes(seeded_session, ctx.account, sl).disputes
    assert listed.line_description == "Dodatni prenos podatkov, 3 GB"
    (english,) = service.list_disputes(seeded_session, ctx.account).disputes
    assert english.line_description == "Extra data, 3 GB"
    (waiting,) = service.open_disputes(seeded_session)
    assert waiting.line_description == "Extra data, 3 GB"
