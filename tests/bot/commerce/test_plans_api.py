"""Plan options, quotes, plan changes and cancellation through the API on the seeded database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.billing.models import Account, UsageRecord
from bot.commerce.models import CancellationRequest
from bot.safety.models import AuditEntry
from tests.bot.api_helpers import expect_error

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tests.bot.commerce.conftest import OpenConversation

ANA_CURRENT = {
    "code": "fiber-300",
    "name": "Fiber 300",
    "monthly_price": "39.90",
    "data_allowance_gb": 1000,
    "currency": "EUR",
}
FIBER_1000 = {
    "code": "fiber-1000",
    "name": "Fiber 1000",
    "monthly_price": "59.90",
    "data_allowance_gb": None,
    "currency": "EUR",
}


def test_ana_is_already_on_the_best_plan(conversation: OpenConversation) -> None:
    answer = conversation("100001").get("/plan-options")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "usage": [
            {"month": "2026-08", "used_gb": "800", "included_gb": "1000"},
            {"month": "2026-09", "used_gb": "853", "included_gb": "1000"},
            {"month": "2026-10", "used_gb": "1003", "included_gb": "1000"},
        ],
        "current_plan": ANA_CURRENT,
        "current_monthly_cost": "41.40",
        "recommended_plan": ANA_CURRENT,
        "monthly_saving": "0.00",
        "already_best": True,
        "summary": "Fiber 300 is already the best plan for your usage.",
        "contract": {
            "end_date": "2027-09-30",
            "early_termination_fee": "120.00",
            "notice_days": 30,
            "earliest_end_date": "2026-12-15",
        },
    }


def test_eva_has_no_metered_usage(conversation: OpenConversation) -> None:
    body = conversation("100003").get("/plan-options").json()
    assert body["usage"] == []
    assert body["recommended_plan"] is None
    assert body["already_best"] is True
    assert body["contract"]["early_termination_fee"] == "0.00"  # ends before notice does


@pytest.fixture
def lighter_usage(seeded_db: Engine) -> Iterator[None]:
    """Customer 100014 (Fiber 300) used at most 480 GB in the last three months."""
    with Session(seeded_db) as session:
        account_id = session.scalars(
            select(Account.id).where(Account.account_number == "100014")
        ).one()
        record = session.scalars(
            select(UsageRecord).where(
                UsageRecord.account_id == account_id,
                UsageRecord.period_month == date(2026, 9, 1),
            )
        ).one()
        before = record.quantity
        record.quantity = Decimal(470)
        session.commit()
        yield
        session.execute(
            update(UsageRecord).where(UsageRecord.id == record.id).values(quantity=before)
        )
        session.commit()


@pytest.mark.usefixtures("lighter_usage")
def test_a_cheaper_plan_that_fits_is_recommended(conversation: OpenConversation) -> None:
    body = conversation("100014").get("/plan-options").json()
    assert [month["used_gb"] for month in body["usage"]] == ["387", "470", "480"]
    assert body["recommended_plan"]["code"] == "fiber-100"
    assert (body["monthly_saving"], body["already_best"]) == ("10.00", False)
    assert body["summary"] == "Fiber 100 fits your usage and would save 10.00 EUR a month."


def test_quote_shows_the_change_and_the_proration(conversation: OpenConversation) -> None:
    ana = conversation("100001")
    answer = ana.client.post(
        f"{ana.base}/plan-changes/quote", json={"plan_code": "fiber-1000"}, headers=ana.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "current_plan": ANA_CURRENT,
        "new_plan": FIBER_1000,
        "effective_date": "2026-11-15",
        "proration_amount": "10.67",  # 16 of 30 days at 59.90 instead of 39.90
        "new_monthly_price": "59.90",
        "monthly_difference": "20.00",
        "contract_end_date": "2027-09-30",
        "changes": [
            "Fiber 300 becomes Fiber 1000 today",
            "monthly price 39.90 -> 59.90 EUR",
            "the next invoice changes by 10.67 EUR for this month's rest",
        ],
        "currency": "EUR",
    }


@pytest.mark.parametrize(
    ("plan_code", "status", "code"),
    [
        ("fiber-300", 422, "invalid_request"),
        ("mobile-5gb", 422, "invalid_request"),
        ("fiber-9000", 404, "not_found"),
        ("", 422, "invalid_request"),
    ],
)
def test_quote_refuses(
    conversation: OpenConversation, plan_code: str, status: int, code: str
) -> None:
    ana = conversation("100001")
    answer = ana.client.post(
        f"{ana.base}/plan-changes/quote", json={"plan_code": plan_code}, headers=ana.headers
    )
    expect_error(answer, status, code)


@pytest.mark.usefixtures("restore_contracts")
def test_changing_the_plan_needs_step_up_and_is_audited(
    conversation: OpenConversation, seeded_db: Engine
) -> None:
    ana = conversation("100001")
    body = {"plan_code": "fiber-1000"}
    expect_error(ana.write("POST", "/plan-changes", body), 403, "step_up_required")
    ana.step_up()
    changed = ana.write("POST", "/plan-changes", body, key="conv-ana:plan:1")
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "applied"
    assert changed.json()["proration_amount"] == "10.67"
    replay = ana.write("POST", "/plan-changes", body, key="conv-ana:plan:1")
    assert replay.headers["Idempotent-Replayed"] == "true"
    summary = ana.get("").json()
    assert summary["plan"] == {"name": "Fiber 1000", "monthly_price": "59.90", "currency": "EUR"}
    assert summary["contract"]["start_date"] == "2026-11-15"
    assert summary["contract"]["end_date"] == "2027-09-30"
    assert summary["contract"]["promo_price"] is None
    expect_error(ana.write("POST", "/plan-changes", body), 422, "invalid_request")  # already on it
    with Session(seeded_db) as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.changed")).one()
    assert audit.details["from"] == "fiber-300"
    assert audit.details["to"] == "fiber-1000"
    assert audit.details["proration"] == "10.67"


def test_cancellation_terms(conversation: OpenConversation) -> None:
    assert conversation("100003").get("/cancellation-terms").json() == {
        "contract_end_date": "2026-11-30",
        "notice_days": 30,
        "effective_date": "2026-12-15",
        "early_termination_fee": "0.00",
        "fee_applies": False,
        "currency": "EUR",
        "pending_request": None,
    }
    ana = conversation("100001").get("/cancellation-terms").json()
    assert (ana["early_termination_fee"], ana["fee_applies"]) == ("120.00", True)


def test_a_cancellation_request_is_recorded_once(
    conversation: OpenConversation, seeded_db: Engine
) -> None:
    eva = conversation("100003")
    reason = {"reason": "moving abroad"}
    expect_error(eva.write("POST", "/cancellations", reason), 403, "step_up_required")
    eva.step_up()
    made = eva.write("POST", "/cancellations", reason)
    assert made.status_code == 201, made.text
    request = made.json()
    assert request == {
        "id": request["id"],
        "status": "requested",
        "effective_date": "2026-12-15",
        "early_termination_fee": "0.00",
        "currency": "EUR",
        "requested_at": "2026-11-15T10:00:00Z",
    }
    assert eva.get("/cancellation-terms").json()["pending_request"] == request
    expect_error(eva.write("POST", "/cancellations", reason), 409, "already_pending")
    expect_error(eva.write("POST", "/cancellations", {"reason": ""}), 422, "invalid_request")
    with Session(seeded_db) as session:
        row = session.get(CancellationRequest, request["id"])
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "cancellation.requested")
        ).one()
    assert row is not None
    assert (row.reason, row.conversation_id, row.actor) == ("moving abroad", "conv-100003", "bot")
    assert "moving abroad" not in f"{audit.reason} {audit.details}"
