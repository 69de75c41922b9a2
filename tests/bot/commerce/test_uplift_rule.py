"""The opt-in uplift rule in the discount policy: off by default; on, it skips the offers the
uplift model found not to help a segment, after the randomized holdout (which still applies)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.models import Outcome, OutcomeKind
from bot.analytics.segments import latest_segment
from bot.commerce.decisions import decide, holdout_period, in_holdout
from bot.commerce.models import Offer
from bot.commerce.policy import DiscountPolicy, parse_policy
from bot.commerce.types import Decision, Trigger
from bot.core.errors import PolicyFileError
from tests.bot.commerce.conftest import Conversation
from tests.bot.commerce.factories import TODAY, history, policy_document, shipped_policy
from tests.bot.safety_helpers import account

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

# Newer than loyalty's 24 months: a price complaint earns price_match, nothing else.
NEWER = history(tenure_months=14, complaints_12m=1)
PERIOD = holdout_period(TODAY)


def with_rule(enabled: bool, share: float = 0.0) -> DiscountPolicy:
    document = policy_document()
    document["holdout"] = {"share": share, "exempt_accounts": []}
    document["uplift"] = {
        "enabled": enabled,
        "skip": [{"offer": "price_match", "segment": "loyal"}],
    }
    return parse_policy(document)


def test_the_rule_is_off_in_the_shipped_policy() -> None:
    policy = shipped_policy()
    assert policy.uplift.enabled is False
    result = decide(policy, NEWER, "200001", Trigger.PRICE_COMPLAINT, TODAY, segment="loyal")
    assert result.decision is Decision.OFFER


def test_off_the_listed_offer_is_still_made() -> None:
    result = decide(with_rule(False), NEWER, "200001", Trigger.PRICE_COMPLAINT, TODAY, "loyal")
    assert result.decision is Decision.OFFER
    assert result.offer is not None
    assert result.offer.code == "price_match"


def test_on_it_skips_the_offer_for_that_segment_only() -> None:
    policy = with_rule(True)
    loyal = decide(policy, NEWER, "200001", Trigger.PRICE_COMPLAINT, TODAY, segment="loyal")
    assert loyal.decision is Decision.NOT_ELIGIBLE
    assert loyal.offer is None
    assert "uplift rule: price_match does not help the loyal segment" in loyal.reason
    other = decide(policy, NEWER, "200001", Trigger.PRICE_COMPLAINT, TODAY, "price_sensitive")
    assert other.decision is Decision.OFFER
    unknown = decide(policy, NEWER, "200001", Trigger.PRICE_COMPLAINT, TODAY, segment=None)
    assert unknown.decision is Decision.OFFER


def test_on_another_eligible_offer_is_made_instead() -> None:
    document = policy_document()
    document["holdout"] = {"share": 0.0, "exempt_accounts": []}
    document["uplift"] = {"enabled": True, "skip": [{"offer": "loyalty", "segment": "loyal"}]}
    eva_like = history()  # eligible for loyalty and price_match; loyalty is worth more
    result = decide(
        parse_policy(document), eva_like, "200001", Trigger.PRICE_COMPLAINT, TODAY, "loyal"
    )
    assert result.decision is Decision.OFFER
    assert result.offer is not None
    assert result.offer.code == "price_match"


@pytest.mark.parametrize("enabled", [True, False])
def test_the_holdout_applies_before_the_rule(enabled: bool) -> None:
    policy = with_rule(enabled, share=0.5)
    numbers = [str(n) for n in range(200_000, 200_400)]
    held = [n for n in numbers if in_holdout(n, Trigger.PRICE_COMPLAINT, PERIOD, 0.5)]
    assert 150 < len(held) < 250
    for number in numbers:
        result = decide(policy, NEWER, number, Trigger.PRICE_COMPLAINT, TODAY, segment="loyal")
        if number in held:
            assert result.decision is Decision.HOLDOUT
        else:
            expected = Decision.NOT_ELIGIBLE if enabled else Decision.OFFER
            assert result.decision is expected


def test_a_bad_rule_is_refused() -> None:
    document = policy_document()
    document["uplift"] = {"enabled": True, "skip": [{"offer": "Price Match", "segment": ""}]}
    with pytest.raises(PolicyFileError, match="uplift"):
        parse_policy(document)


def test_the_segment_is_the_latest_recorded_one(seeded_session: Session) -> None:
    demo = account(seeded_session, "100003")
    assert latest_segment(seeded_session, demo.id) is None  # the demo customers have no history
    generated = account(seeded_session, "100011")
    segments = seeded_session.scalars(
        select(Outcome.segment)
        .where(Outcome.account_id == generated.id)
        .order_by(Outcome.occurred_on.desc(), Outcome.id.desc())
    ).all()
    assert segments
    assert latest_segment(seeded_session, generated.id) == segments[0]


def test_through_the_api_the_rule_reads_the_customers_segment(
    policy_client: Callable[[dict[str, Any]], TestClient], seeded_db: Engine
) -> None:
    with Session(seeded_db) as session:  # Eva gets a recorded segment (removed after the test)
        eva = account(session, "100003")
        session.add(
            Outcome(
                account_id=eva.id,
                segment="loyal",
                kind=OutcomeKind.STAYED,
                started_on=TODAY,
                occurred_on=TODAY,
                recorded_at=datetime(2026, 11, 15, tzinfo=UTC),
            )
        )
        session.commit()
    skip = [{"offer": code, "segment": "loyal"} for code in ("loyalty", "retention")]
    client = policy_client({"uplift": {"enabled": True, "skip": skip}})
    chat = Conversation(client, seeded_db, "100003", "conv-uplift-rule").verify()
    body = chat.write("POST", "/offers", {"trigger": "cancellation"}).json()
    assert body["decision"] == "not_eligible"
    assert body["reason"] == (
        "not eligible: uplift rule: loyalty, retention do not help the loyal segment"
    )
    with Session(seeded_db) as session:
        row = session.get(Offer, body["decision_id"])
        assert row is not None
        assert row.offer_code is None
