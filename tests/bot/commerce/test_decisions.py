"""Which offer a trigger earns: eligibility, the best offer, holdout, authority tiers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.commerce.decisions import (
    decide,
    discount_amount,
    holdout_period,
    in_holdout,
    required_tier,
    unmet_criteria,
)
from bot.commerce.policy import DiscountPolicy, parse_policy
from bot.commerce.types import Decision, Tier, Trigger
from bot.core.errors import PolicyFileError
from tests.bot.commerce.factories import EVA, TODAY, history, policy_document, shipped_policy

CUSTOMER_TRIGGERS = [Trigger.PRICE_COMPLAINT, Trigger.DISCOUNT_REQUEST, Trigger.CANCELLATION]


@pytest.mark.parametrize("trigger", CUSTOMER_TRIGGERS)
def test_eva_gets_the_loyalty_offer(trigger: Trigger) -> None:
    result = decide(shipped_policy(), EVA, "100003", trigger, TODAY)
    assert result.decision is Decision.OFFER
    assert result.offer is not None
    assert (result.offer.code, result.offer.percent, result.offer.months) == ("loyalty", 15, 12)
    assert result.offer.monthly_amount_cents == 899  # 15 % of 59.90, half-up
    assert result.offer.total_cents == 899 * 12
    assert result.required_tier is Tier.BOT
    assert result.churn_risk == 0.40
    assert result.reason == "best eligible offer: Loyalty discount"


def test_no_second_discount_within_twelve_months() -> None:
    had_one = history(discounts_12m=1)
    result = decide(shipped_policy(), had_one, "100003", Trigger.DISCOUNT_REQUEST, TODAY)
    assert result.decision is Decision.NOT_ELIGIBLE
    assert result.offer is None
    assert "a discount was already given in the last 12 months" in result.reason


def test_a_second_discount_at_high_risk_goes_to_an_agent() -> None:
    at_risk = history(discounts_12m=1, complaints_12m=2)  # 0.40 + 0.20 = 0.60
    result = decide(shipped_policy(), at_risk, "100003", Trigger.CANCELLATION, TODAY)
    assert result.decision is Decision.NEEDS_HUMAN
    assert result.required_tier is Tier.AGENT
    assert result.offer is not None
    assert result.offer.code == "retention_second"
    assert "beyond the bot's authority" in result.reason


def test_the_best_offer_is_the_largest_total() -> None:
    # Retention (20 % x 6) is worth less than loyalty (15 % x 12): loyalty wins for Eva...
    assert decide(shipped_policy(), EVA, "100003", Trigger.CANCELLATION, TODAY).offer
    # ...but a customer too new for loyalty gets retention when at risk.
    newer = history(tenure_months=14, complaints_12m=1)
    result = decide(shipped_policy(), newer, "100003", Trigger.CANCELLATION, TODAY)
    assert result.offer is not None
    assert result.offer.code == "retention"
    # A price complaint cannot earn a retention offer: price match instead.
    price = decide(shipped_policy(), newer, "100003", Trigger.PRICE_COMPLAINT, TODAY)
    assert price.offer is not None
    assert price.offer.code == "price_match"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"tenure_months": 3}, "needs 6 months as a customer"),
        ({"invoices_paid_on_time": 20}, "bills paid on time"),
    ],
)
def test_not_eligible_says_why(changes: dict[str, Any], reason: str) -> None:
    result = decide(shipped_policy(), history(**changes), "100003", Trigger.PRICE_COMPLAINT, TODAY)
    assert result.decision is Decision.NOT_ELIGIBLE
    assert reason in result.reason


def test_each_criterion() -> None:
    document = policy_document()
    document["offers"] = [
        {
            "code": "strict",
            "name": "Strict",
            "percent": 10,
            "months": 3,
            "triggers": ["discount_request"],
            "eligibility": {
                "max_complaints_12m": 0,
                "min_churn_risk": 0.3,
                "max_churn_risk": 0.5,
                "contract_ends_within_days": 20,
            },
        }
    ]
    rule = parse_policy(document).offers[0]
    assert unmet_criteria(rule, EVA, TODAY) == []
    assert unmet_criteria(rule, history(complaints_12m=1), TODAY) == [
        "too many complaints in the last 12 months"
    ]
    assert unmet_criteria(rule, history(contract_end=date(2026, 12, 31)), TODAY) == [
        "churn risk outside the offer's range",
        "contract must end within 20 days",
    ]
    assert unmet_criteria(rule, history(contract_end=None), TODAY) == [
        "contract must end within 20 days"
    ]
    assert "churn risk" in unmet_criteria(rule, history(late_payments_12m=3), TODAY)[0]


def test_holdout_is_stable_and_near_its_share() -> None:
    period = holdout_period(TODAY)
    assert period == "2026-11"
    flags = [
        in_holdout(str(n), Trigger.CANCELLATION, period, 0.10) for n in range(100_000, 110_000)
    ]
    assert 900 <= sum(flags) <= 1100
    again = [
        in_holdout(str(n), Trigger.CANCELLATION, period, 0.10) for n in range(100_000, 110_000)
    ]
    assert flags == again
    assert not any(in_holdout(str(n), Trigger.CANCELLATION, period, 0.0) for n in range(1000))
    assert all(in_holdout(str(n), Trigger.CANCELLATION, period, 1.0) for n in range(1000))


def test_holdout_skips_the_exempt_accounts() -> None:
    everyone = parse_policy({**policy_document(), "holdout": {"share": 1.0}})
    held = decide(everyone, EVA, "100003", Trigger.CANCELLATION, TODAY)
    assert held.decision is Decision.HOLDOUT
    assert held.offer is None
    assert held.reason == "holdout: no proactive offer this period (2026-11)"
    exempt = parse_policy(
        {**policy_document(), "holdout": {"share": 1.0, "exempt_accounts": ["100003"]}}
    )
    assert decide(exempt, EVA, "100003", Trigger.CANCELLATION, TODAY).decision is Decision.OFFER


def test_holdout_only_for_eligible_cases() -> None:
    everyone = parse_policy({**policy_document(), "holdout": {"share": 1.0}})
    result = decide(everyone, history(discounts_12m=1), "100003", Trigger.PRICE_COMPLAINT, TODAY)
    assert result.decision is Decision.NOT_ELIGIBLE


def test_required_tier() -> None:
    policy = shipped_policy()
    offer = decide(policy, EVA, "100003", Trigger.CANCELLATION, TODAY).offer
    assert offer is not None
    assert required_tier(policy, offer) is Tier.BOT
    bigger = type(offer)("x", "X", 30, 12, discount_amount(5990, 30))
    assert required_tier(policy, bigger) is Tier.AGENT
    huge = type(offer)("x", "X", 50, 24, discount_amount(5990, 50))
    assert required_tier(policy, huge) is Tier.SUPERVISOR
    beyond = type(offer)("x", "X", 60, 24, discount_amount(5990, 60))
    assert required_tier(policy, beyond) is None


# --- property: an offer never exceeds the tier that makes it -------------------------------------


@st.composite
def policies(draw: st.DrawFn) -> DiscountPolicy:
    percent = [draw(st.integers(0, 40))]
    amount = [draw(st.integers(0, 3000))]
    months = [draw(st.integers(0, 12))]
    for _ in range(2):
        percent.append(percent[-1] + draw(st.integers(0, 30)))
        amount.append(amount[-1] + draw(st.integers(0, 3000)))
        months.append(months[-1] + draw(st.integers(0, 12)))
    assume(percent[-1] >= 1 and months[-1] >= 1)
    percent = [min(p, 100) for p in percent]
    tiers = {
        tier.value: {
            "max_percent": percent[i],
            "max_monthly_amount": f"{amount[i] / 100:.2f}",
            "max_months": months[i],
        }
        for i, tier in enumerate(Tier)
    }
    offers = [
        {
            "code": f"o{index}",
            "name": f"Offer {index}",
            "percent": draw(st.integers(1, percent[-1])),
            "months": draw(st.integers(1, months[-1])),
            "triggers": draw(
                st.lists(st.sampled_from([t.value for t in CUSTOMER_TRIGGERS]), min_size=1)
            ),
            "eligibility": {"max_discounts_12m": draw(st.integers(0, 2))},
        }
        for index in range(draw(st.integers(1, 5)))
    ]
    try:
        return parse_policy(
            {"version": 1, "tiers": tiers, "offers": offers, "holdout": {"share": 0.0}}
        )
    except PolicyFileError:
        assume(False)
        raise


@given(
    policy=policies(),
    price=st.integers(0, 20_000),
    discounts=st.integers(0, 3),
    trigger=st.sampled_from(CUSTOMER_TRIGGERS),
)
def test_an_offer_never_exceeds_the_tier_that_makes_it(
    policy: DiscountPolicy, price: int, discounts: int, trigger: Trigger
) -> None:
    facts = history(monthly_price_cents=price, discounts_12m=discounts)
    result = decide(policy, facts, "123456", trigger, TODAY)
    bot = policy.limits(Tier.BOT)
    if result.decision is Decision.OFFER:
        offer = result.offer
        assert offer is not None
        assert bot.allows(offer.percent, offer.monthly_amount_cents, offer.months)
        assert offer.percent <= bot.max_percent
        assert offer.monthly_amount_cents <= bot.max_monthly_amount
        assert offer.months <= bot.max_months
    elif result.decision is Decision.NEEDS_HUMAN:
        offer = result.offer
        assert offer is not None
        assert not bot.allows(offer.percent, offer.monthly_amount_cents, offer.months)
        assert result.required_tier is not None
        limits = policy.limits(result.required_tier)
        assert limits.allows(offer.percent, offer.monthly_amount_cents, offer.months)
    else:
        assert result.offer is None


def test_no_plan_nothing_to_discount() -> None:
    result = decide(
        shipped_policy(), history(monthly_price_cents=0), "100003", Trigger.CANCELLATION, TODAY
    )
    assert result.decision is Decision.NOT_ELIGIBLE
    assert result.reason == "not eligible: no plan price the offers could discount"
