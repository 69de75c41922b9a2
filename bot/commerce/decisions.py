"""Which offer a trigger earns, as pure functions over the policy and the account's history.

`decide` answers, in this order:
1. `not_eligible` when no offer of the policy answering the trigger has all its criteria met;
2. `holdout` for a stable random share of the eligible cases (`holdout.share`): the same account,
   trigger and calendar month always land on the same side (`in_holdout`), and the accounts in
   `holdout.exempt_accounts` never do;
3. `not_eligible` when the opt-in uplift rule (`uplift` in the policy) skips every eligible
   offer for the customer's `segment` (after the holdout, so the experiment keeps its share);
4. `offer` with the best eligible offer the bot may make itself: the largest total discount
   (monthly amount x months), ties going to the offer written first in the file;
5. `needs_human` when every eligible offer is beyond the bot's tier; `required_tier` says who
   (agent or supervisor) may grant the best one.

A discount is a percent of the current plan's monthly list price (add-ons excluded), rounded
half-up to the cent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.commerce.churn import churn_risk, days_to_contract_end
from bot.commerce.types import Decision, Tier
from bot.core.money import percent_of

if TYPE_CHECKING:
    from datetime import date

    from bot.commerce.churn import AccountHistory
    from bot.commerce.policy import DiscountPolicy, OfferRule
    from bot.commerce.types import Trigger


@dataclass(frozen=True, slots=True)
class ProposedOffer:
    code: str
    name: str
    percent: int
    months: int
    monthly_amount_cents: int

    @property
    def total_cents(self) -> int:
        return self.monthly_amount_cents * self.months


@dataclass(frozen=True, slots=True)
class OfferDecision:
    decision: Decision
    offer: ProposedOffer | None  # the offer made (`offer`) or the one to refer (`needs_human`)
    reason: str
    churn_risk: float
    required_tier: Tier | None = None


def discount_amount(monthly_price_cents: int, percent: int) -> int:
    """`percent` of a monthly price, in cents."""
    return percent_of(monthly_price_cents, Decimal(percent) / 100)


def propose(rule: OfferRule, monthly_price_cents: int) -> ProposedOffer:
    amount = discount_amount(monthly_price_cents, rule.percent)
    return ProposedOffer(rule.code, rule.name, rule.percent, rule.months, amount)


def unmet_criteria(rule: OfferRule, history: AccountHistory, today: date) -> list[str]:
    """Why `rule` does not apply to this account (empty when it does)."""
    wanted, unmet = rule.eligibility, []
    if history.tenure_months < wanted.min_tenure_months:
        unmet.append(f"needs {wanted.min_tenure_months} months as a customer")
    if history.on_time_ratio < wanted.min_on_time_ratio:
        unmet.append(f"needs {wanted.min_on_time_ratio:.0%} of bills paid on time")
    if wanted.max_complaints_12m is not None and history.complaints_12m > wanted.max_complaints_12m:
        unmet.append("too many complaints in the last 12 months")
    if history.discounts_12m > wanted.max_discounts_12m:
        unmet.append("a discount was already given in the last 12 months")
    risk = churn_risk(history, today)
    if not wanted.min_churn_risk <= risk <= wanted.max_churn_risk:
        unmet.append("churn risk outside the offer's range")
    if wanted.contract_ends_within_days is not None:
        days = days_to_contract_end(history, today)
        if days is None or not 0 <= days <= wanted.contract_ends_within_days:
            unmet.append(f"contract must end within {wanted.contract_ends_within_days} days")
    return unmet


def required_tier(policy: DiscountPolicy, offer: ProposedOffer) -> Tier | None:
    """The least tier allowed to grant `offer`; None when even a supervisor may not."""
    for tier in Tier:
        if policy.limits(tier).allows(offer.percent, offer.monthly_amount_cents, offer.months):
            return tier
    return None


def in_holdout(account_number: str, trigger: Trigger, period: str, share: float) -> bool:
    """A stable coin: True for about `share` of (account, trigger, period) combinations."""
    digest = hashlib.sha256(f"{account_number}:{trigger.value}:{period}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def holdout_period(today: date) -> str:
    """The period a holdout assignment lasts: the calendar month, like "2026-11"."""
    return f"{today:%Y-%m}"


def _best(offers: list[ProposedOffer]) -> ProposedOffer:
    return max(enumerate(offers), key=lambda pair: (pair[1].total_cents, -pair[0]))[1]


def decide(
    policy: DiscountPolicy,
    history: AccountHistory,
    account_number: str,
    trigger: Trigger,
    today: date,
    segment: str | None = None,
) -> OfferDecision:
    """The decision for one trigger (see the module docstring); `segment` is the customer's
    segment for the uplift rule (None: unknown, the rule skips nothing)."""
    risk = churn_risk(history, today)
    rules = policy.offers_for(trigger)
    unmet = {rule.code: unmet_criteria(rule, history, today) for rule in rules}
    price = history.monthly_price_cents
    qualified = [propose(rule, price) for rule in rules if not unmet[rule.code]]
    # An offer worth nothing (no plan), or one nobody may grant (an expensive plan), is not made.
    eligible = [o for o in qualified if o.monthly_amount_cents > 0 and required_tier(policy, o)]
    if not eligible:
        reasons = sorted({reason for reasons in unmet.values() for reason in reasons})
        if qualified:
            reasons = ["no plan price the offers could discount"]
        why = "; ".join(reasons) if reasons else "no offer answers this request"
        return OfferDecision(Decision.NOT_ELIGIBLE, None, f"not eligible: {why}", risk)
    exempt = account_number in policy.holdout.exempt_accounts
    period = holdout_period(today)
    if not exempt and in_holdout(account_number, trigger, period, policy.holdout.share):
        reason = f"holdout: no proactive offer this period ({period})"
        return OfferDecision(Decision.HOLDOUT, None, reason, risk)
    skipped = [o.code for o in eligible if policy.uplift.skips(o.code, segment)]
    eligible = [o for o in eligible if o.code not in skipped]
    if not eligible:
        verb = "does" if len(skipped) == 1 else "do"
        why = f"uplift rule: {', '.join(skipped)} {verb} not help the {segment} segment"
        return OfferDecision(Decision.NOT_ELIGIBLE, None, f"not eligible: {why}", risk)
    bot_limits = policy.limits(Tier.BOT)
    mine = [
        offer
        for offer in eligible
        if bot_limits.allows(offer.percent, offer.monthly_amount_cents, offer.months)
    ]
    if mine:
        best = _best(mine)
        return OfferDecision(
            Decision.OFFER, best, f"best eligible offer: {best.name}", risk, Tier.BOT
        )
    best = _best(eligible)
    tier = required_tier(policy, best) or Tier.SUPERVISOR
    reason = f"{best.name} is beyond the bot's authority; a person must decide"
    return OfferDecision(Decision.NEEDS_HUMAN, best, reason, risk, tier)
