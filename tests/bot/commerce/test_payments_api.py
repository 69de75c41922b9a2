"""Payment links, arrangements and billing preferences through the API on the seeded database."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.commerce.models import PaymentArrangement, PaymentLink
from bot.core.money import parse_amount
from bot.safety.models import AuditEntry
from tests.bot.api_helpers import expect_error

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.bot.commerce.conftest import OpenConversation


def test_a_payment_link_for_the_open_balance(
    conversation: OpenConversation, seeded_db: Engine
) -> None:
    ana = conversation("100001")
    balance = ana.get("/balance").json()["balance"]
    made = ana.write("POST", "/payment-links", key="conv-ana:pay:1")
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["amount"] == balance
    assert (link["currency"], link["expires_at"]) == ("EUR", "2026-11-17T10:00:00Z")
    assert link["url"].startswith("https://pay.example.com/p/")
    token = link["url"].rsplit("/", 1)[1]
    assert len(token) >= 32
    again = ana.write("POST", "/payment-links", key="conv-ana:pay:1")
    assert again.json() == link
    second = ana.write("POST", "/payment-links").json()
    assert second["url"] != link["url"]
    with Session(seeded_db) as session:
        rows = session.scalars(select(PaymentLink).order_by(PaymentLink.id)).all()
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in (row.token_hash, row.conversation_id) for row in rows)
    assert rows[0].amount_cents == parse_amount(balance)


def test_nothing_to_pay(conversation: OpenConversation) -> None:
    eva = conversation("100003")  # pays every bill by direct debit the day it is issued
    assert eva.get("/balance").json()["balance"] == "0.00"
    expect_error(eva.write("POST", "/payment-links"), 409, "nothing_owed")
    options = eva.get("/arrangement-options").json()
    assert (options["eligible"], options["reason"], options["options"]) == (
        False,
        "nothing is owed",
        [],
    )
    eva.step_up()
    body = {"kind": "split", "instalments": 2}
    expect_error(eva.write("POST", "/arrangements", body), 409, "nothing_owed")


def test_arrangement_options_then_an_extension(
    conversation: OpenConversation, seeded_db: Engine
) -> None:
    ana = conversation("100001")
    balance = ana.get("/balance").json()
    options = ana.get("/arrangement-options").json()
    assert options == {
        "eligible": True,
        "reason": "you can move the due date or split the balance",
        "balance": balance["balance"],
        "currency": "EUR",
        "base_date": balance["next_due_date"],
        "options": [
            {"kind": "extend_due_date", "max_days": 14, "instalments": None},
            {"kind": "split", "max_days": None, "instalments": [2, 3]},
        ],
    }
    body = {"kind": "extend_due_date", "days": 10}
    expect_error(ana.write("POST", "/arrangements", body), 403, "step_up_required")
    ana.step_up()
    made = ana.write("POST", "/arrangements", body)
    assert made.status_code == 201, made.text
    arrangement = made.json()
    assert arrangement == {
        "id": arrangement["id"],
        "kind": "extend_due_date",
        "status": "active",
        "total": balance["balance"],
        "currency": "EUR",
        "instalments": [{"number": 1, "due_date": "2026-12-10", "amount": balance["balance"]}],
    }
    assert ana.get("/arrangement-options").json()["eligible"] is False
    message = expect_error(ana.write("POST", "/arrangements", body), 409, "already_pending")
    assert "already an active payment arrangement" in message
    with Session(seeded_db) as session:
        row = session.get(PaymentArrangement, arrangement["id"])
        assert row is not None
        assert (row.conversation_id, row.actor, row.extension_days) == ("conv-100001", "bot", 10)
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "arrangement.created")
        ).one()
    assert audit.details["due_dates"] == ["2026-12-10"]


def test_split_into_instalments(conversation: OpenConversation, seeded_db: Engine) -> None:
    marko = conversation("100002")
    balance = parse_amount(marko.get("/balance").json()["balance"])
    body = {"kind": "split", "instalments": 3}
    quoted = marko.client.post(
        f"{marko.base}/arrangements/quote", json=body, headers=marko.headers
    )  # no code, no key: nothing is written
    assert quoted.status_code == 200, quoted.text
    with Session(seeded_db) as session:
        assert session.scalars(select(PaymentArrangement)).all() == []
    made = marko.step_up().write("POST", "/arrangements", body)
    assert made.status_code == 201, made.text
    parts = made.json()["instalments"]
    assert [part["number"] for part in parts] == [1, 2, 3]
    assert sum(parse_amount(part["amount"]) for part in parts) == balance
    assert [part["due_date"] for part in parts] == ["2026-11-30", "2026-12-30", "2027-01-30"]
    # The quote showed exactly the schedule that was then set up.
    assert quoted.json() == {
        "kind": "split",
        "total": made.json()["total"],
        "currency": "EUR",
        "instalments": parts,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "extend_due_date", "days": 15},
        {"kind": "split", "instalments": 4},
        {"kind": "split", "days": 3},
        {"kind": "extend_due_date", "days": 5, "instalments": 2},
        {"kind": "pay_never"},
    ],
)
def test_arrangements_outside_the_limits(
    conversation: OpenConversation, body: dict[str, Any]
) -> None:
    ana = conversation("100001").step_up()
    expect_error(ana.write("POST", "/arrangements", body), 422, "invalid_request")
    quote = ana.client.post(f"{ana.base}/arrangements/quote", json=body, headers=ana.headers)
    expect_error(quote, 422, "invalid_request")


def test_billing_preferences(conversation: OpenConversation, seeded_db: Engine) -> None:
    eva = conversation("100003")
    assert eva.get("/billing-preferences").json() == {"autopay": True, "e_billing": True}
    assert conversation("100001").get("/billing-preferences").json() == {
        "autopay": False,  # pays by card
        "e_billing": True,
    }
    wanted = {"autopay": False, "e_billing": True}
    expect_error(eva.write("PUT", "/billing-preferences", wanted), 403, "step_up_required")
    eva.step_up()
    changed = eva.write("PUT", "/billing-preferences", wanted)
    assert changed.status_code == 200, changed.text
    assert changed.json() == wanted
    assert eva.get("/billing-preferences").json() == wanted
    again = eva.write("PUT", "/billing-preferences", {"autopay": True, "e_billing": False})
    assert again.json() == {"autopay": True, "e_billing": False}
    expect_error(
        eva.write("PUT", "/billing-preferences", {"autopay": "sometimes"}), 422, "invalid_request"
    )
    with Session(seeded_db) as session:
        audits = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "billing_preferences.updated")
            .order_by(AuditEntry.id)
        ).all()
    assert [a.details for a in audits] == [
        {"before": {"autopay": True, "e_billing": True}, "after": wanted},
        {"before": wanted, "after": {"autopay": True, "e_billing": False}},
    ]


def test_every_route_needs_the_verified_conversation(conversation: OpenConversation) -> None:
    chat = conversation("100001")
    chat.id = "conv-someone-else"
    for method, path in [
        ("GET", "/plan-options"),
        ("GET", "/cancellation-terms"),
        ("GET", "/arrangement-options"),
        ("GET", "/billing-preferences"),
    ]:
        expect_error(
            chat.client.request(method, f"{chat.base}{path}", headers=chat.headers),
            403,
            "not_verified",
        )
    for method, path, body in [
        ("POST", "/offers", {"trigger": "cancellation"}),
        ("POST", "/offers/1/accept", None),
        ("POST", "/offers/1/decline", None),
        ("POST", "/plan-changes/quote", {"plan_code": "fiber-1000"}),
        ("POST", "/plan-changes", {"plan_code": "fiber-1000"}),
        ("POST", "/cancellations", {"reason": "x"}),
        ("POST", "/payment-links", None),
        ("POST", "/arrangements", {"kind": "split", "instalments": 2}),
        ("PUT", "/billing-preferences", {"autopay": True, "e_billing": True}),
    ]:
        expect_error(chat.write(method, path, body), 403, "not_verified")
