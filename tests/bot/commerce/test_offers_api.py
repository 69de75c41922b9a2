"""POST /offers, /offers/{id}/accept and /decline through the API on the seeded database."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.commerce.models import AccountDiscount, Offer
from bot.safety.models import AuditEntry
from tests.bot.api_helpers import expect_error
from tests.bot.commerce.conftest import Conversation

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.commerce.conftest import OpenConversation
    from tests.bot.conftest import FakeClock

EVA_OFFER = {
    "code": "loyalty",
    "name": "Loyalty discount",
    "percent": 15,
    "monthly_amount": "8.99",
    "months": 12,
    "total_amount": "107.88",
    "currency": "EUR",
    "status": "offered",
    "expires_at": "2026-11-22T10:00:00Z",
}


def _offer(chat: Conversation, trigger: str = "cancellation", key: str | None = None) -> Any:
    return chat.write("POST", "/offers", {"trigger": trigger}, key=key)


def test_eva_gets_the_loyalty_offer_and_it_is_recorded(
    conversation: OpenConversation, seeded_db: Engine
) -> None:
    eva = conversation("100003")
    answer = _offer(eva, key="conv-eva:offer:1")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    offer_id = body["offer"].pop("id")
    assert body == {
        "decision": "offer",
        "offer": EVA_OFFER,
        "reason": "best eligible offer: Loyalty discount",
        "decision_id": offer_id,
        "required_tier": None,
        "churn_risk": 0.4,
    }
    again = _offer(eva, key="conv-eva:offer:1")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["decision_id"] == offer_id
    with Session(seeded_db) as session:
        rows = session.scalars(select(Offer).where(Offer.conversation_id == "conv-100003")).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.status, row.trigger, row.offer_code, row.percent, row.months) == (
        "offered",
        "cancellation",
        "loyalty",
        15,
        12,
    )
    assert (row.monthly_amount_cents, row.actor, row.tier, row.period) == (
        899,
        "bot",
        "bot",
        "2026-11",
    )
    assert row.churn_risk == Decimal("0.40")


def test_accepting_needs_step_up_and_applies_the_discount(
    conversation: OpenConversation, seeded_db: Engine
) -> None:
    eva = conversation("100003")
    offer_id = _offer(eva).json()["offer"]["id"]
    expect_error(eva.write("POST", f"/offers/{offer_id}/accept"), 403, "step_up_required")
    eva.step_up()
    accepted = eva.write("POST", f"/offers/{offer_id}/accept", key="conv-eva:accept:1")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {
        "offer": {**EVA_OFFER, "id": offer_id, "status": "accepted"},
        "discount": {
            "percent": 15,
            "monthly_amount": "8.99",
            "months": 12,
            "start_date": "2026-12-01",
            "end_date": "2027-11-30",
            "currency": "EUR",
        },
    }
    replay = eva.write("POST", f"/offers/{offer_id}/accept", key="conv-eva:accept:1")
    assert replay.json() == accepted.json()
    message = expect_error(
        eva.write("POST", f"/offers/{offer_id}/accept"), 409, "offer_unavailable"
    )
    assert message == "this offer was already accepted"
    with Session(seeded_db) as session:
        discount = session.scalars(
            select(AccountDiscount).where(AccountDiscount.offer_id == offer_id)
        ).one()
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "offer.accepted")
        ).one()
    assert (discount.granted_by, discount.monthly_amount_cents) == ("bot", 899)
    assert audit.conversation_id == "conv-100003"
    assert audit.details["offer_id"] == offer_id
    second = _offer(eva, "discount_request").json()
    assert second["decision"] == "not_eligible"
    assert "a discount was already given in the last 12 months" in second["reason"]


def test_declining_is_recorded_and_closes_the_offer(
    conversation: OpenConversation, seeded_db: Engine
) -> None:
    eva = conversation("100003")
    offer_id = _offer(eva, "price_complaint").json()["offer"]["id"]
    declined = eva.write("POST", f"/offers/{offer_id}/decline")
    assert declined.status_code == 200, declined.text
    assert declined.json()["offer"]["status"] == "declined"
    assert declined.json()["discount"] is None
    eva.step_up()
    expect_error(eva.write("POST", f"/offers/{offer_id}/accept"), 409, "offer_unavailable")
    with Session(seeded_db) as session:
        row = session.get(Offer, offer_id)
        assert row is not None
        assert row.status == "declined"
        assert row.responded_at is not None
        assert session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "offer.declined")
        ).one()


def test_an_offer_expires(conversation: OpenConversation, clock: FakeClock) -> None:
    eva = conversation("100003")
    offer_id = _offer(eva).json()["offer"]["id"]
    clock.advance(days=7)
    eva.verify().step_up()
    message = expect_error(
        eva.write("POST", f"/offers/{offer_id}/accept"), 409, "offer_unavailable"
    )
    assert "expired" in message


def test_a_customer_with_a_recent_discount_gets_no_second(conversation: OpenConversation) -> None:
    customer = conversation("100011")  # seeded: a retention discount in the last 12 months
    for trigger in ("price_complaint", "discount_request"):
        body = _offer(customer, trigger).json()
        assert body["decision"] == "not_eligible"
        assert body["offer"] is None
        assert "a discount was already given in the last 12 months" in body["reason"]


def test_someone_elses_offer_is_not_found(conversation: OpenConversation) -> None:
    offer_id = _offer(conversation("100003")).json()["offer"]["id"]
    ana = conversation("100001").step_up()
    expect_error(ana.write("POST", f"/offers/{offer_id}/accept"), 404, "not_found")
    expect_error(ana.write("POST", f"/offers/{offer_id}/decline"), 404, "not_found")
    expect_error(ana.write("POST", "/offers/999999/decline"), 404, "not_found")


def test_offers_need_verification_a_key_and_a_known_trigger(
    client: TestClient, conversation: OpenConversation, seeded_db: Engine
) -> None:
    stranger = Conversation(client, seeded_db, "100003", "conv-stranger")
    expect_error(_offer(stranger), 403, "not_verified")
    eva = conversation("100003")
    no_key = client.post(
        f"{eva.base}/offers", json={"trigger": "cancellation"}, headers=eva.headers
    )
    expect_error(no_key, 422, "invalid_request")
    expect_error(_offer(eva, "free_money"), 422, "invalid_request")


def test_holdout_is_recorded_without_an_offer(
    policy_client: Callable[[dict[str, Any]], TestClient], seeded_db: Engine
) -> None:
    client = policy_client({"holdout": {"share": 1.0}})
    eva = Conversation(client, seeded_db, "100003", "conv-holdout").verify()
    body = _offer(eva).json()
    assert body["decision"] == "holdout"
    assert body["offer"] is None
    assert body["reason"] == "holdout: no proactive offer this period (2026-11)"
    with Session(seeded_db) as session:
        row = session.get(Offer, body["decision_id"])
        assert row is not None
        assert (row.status, row.percent, row.period) == ("holdout", None, "2026-11")


def test_beyond_the_bot_tier_it_needs_a_human(
    policy_client: Callable[[dict[str, Any]], TestClient], seeded_db: Engine
) -> None:
    tiny = {"max_percent": 5, "max_monthly_amount": "5.00", "max_months": 3}
    document_tiers = {
        "bot": tiny,
        "agent": {"max_percent": 30, "max_monthly_amount": "20.00", "max_months": 12},
        "supervisor": {"max_percent": 50, "max_monthly_amount": "40.00", "max_months": 24},
    }
    client = policy_client({"tiers": document_tiers})
    eva = Conversation(client, seeded_db, "100003", "conv-human").verify()
    body = _offer(eva).json()
    assert body["decision"] == "needs_human"
    assert body["offer"] is None
    assert body["required_tier"] == "agent"
    assert "beyond the bot's authority" in body["reason"]
    with Session(seeded_db) as session:
        row = session.get(Offer, body["decision_id"])
        assert row is not None
        assert (row.status, row.offer_code, row.tier) == ("needs_human", "loyalty", "agent")


def test_two_open_offers_never_become_two_discounts(conversation: OpenConversation) -> None:
    eva = conversation("100003").step_up()
    first = _offer(eva, "price_complaint").json()["offer"]["id"]
    second = _offer(eva, "cancellation").json()["offer"]["id"]
    assert eva.write("POST", f"/offers/{second}/accept").status_code == 200
    message = expect_error(eva.write("POST", f"/offers/{first}/accept"), 409, "offer_unavailable")
    assert message == "this offer is no longer available; ask for a new one"


def test_the_bot_cannot_accept_a_referral(
    policy_client: Callable[[dict[str, Any]], TestClient], seeded_db: Engine
) -> None:
    everyone = policy_client({"holdout": {"share": 1.0}})
    eva = Conversation(everyone, seeded_db, "100003", "conv-referral").verify().step_up()
    held = _offer(eva).json()["decision_id"]
    expect_error(eva.write("POST", f"/offers/{held}/accept"), 404, "not_found")
