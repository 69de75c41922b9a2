"""Discounts granted by a person (an agent at the desk, or a supervisor), within their tier.

The desk will call `grant_discount` when a `needs_human` referral reaches an agent. Eligibility
is the agent's judgement; authority is not: a discount beyond the tier's limits (percent, monthly
amount, months) raises BeyondAuthority, and one that would stack with the discounts already
running in the same months beyond the tier's percent or monthly amount raises AuthorityUsedUp
(bot.commerce.stacking, under the account's lock). The grant is recorded like any offer (an
`offers` row, status `accepted`, trigger `agent_grant`, actor `agent:<id>`), applied from the
1st of next month (`account_discounts`) and audited, in one transaction.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.commerce.churn import churn_risk
from bot.commerce.decisions import discount_amount, holdout_period
from bot.commerce.history import account_history
from bot.commerce.models import Offer
from bot.commerce.offers import apply_discount, discount_period
from bot.commerce.stacking import check_stacking
from bot.commerce.types import OfferStatus, Tier, Trigger
from bot.core.errors import BeyondAuthority
from bot.core.money import format_amount
from bot.safety.actors import agent_actor
from bot.safety.audit import record_audit

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.commerce.models import AccountDiscount
    from bot.commerce.policy import DiscountPolicy

logger = logging.getLogger(__name__)


def check_authority(
    policy: DiscountPolicy, tier: Tier, percent: int, monthly_cents: int, months: int
) -> None:
    """Raise BeyondAuthority unless `tier` may grant this discount."""
    limits = policy.limits(tier)
    if percent < 1 or months < 1:
        raise ValueError("a discount needs a positive percent and number of months")
    if not limits.allows(percent, monthly_cents, months):
        raise BeyondAuthority(
            f"{percent}% ({format_amount(monthly_cents)} a month) for {months} months is beyond "
            f"the {tier.value} tier (at most {limits.max_percent}%, "
            f"{format_amount(limits.max_monthly_amount)} a month, {limits.max_months} months)"
        )


def _grant_row(
    account: Account,
    tier: Tier,
    actor: str,
    terms: tuple[int, int, int],
    reason: str,
    risk: float,
    now: datetime,
    conversation_id: str | None,
) -> Offer:
    percent, monthly, months = terms
    return Offer(
        account_id=account.id,
        conversation_id=conversation_id,
        trigger=Trigger.AGENT_GRANT,
        status=OfferStatus.ACCEPTED,
        offer_code=None,
        percent=percent,
        monthly_amount_cents=monthly,
        months=months,
        tier=tier,
        reason=reason[:300],
        actor=actor,
        churn_risk=Decimal(str(risk)),
        period=holdout_period(now.date()),
        created_at=now,
        expires_at=None,
        responded_at=now,
    )


def grant_discount(
    session: Session,
    account: Account,
    policy: DiscountPolicy,
    *,
    agent_id: int | str,
    percent: int,
    months: int,
    reason: str,
    now: datetime,
    tier: Tier = Tier.AGENT,
    conversation_id: str | None = None,
) -> AccountDiscount:
    """Grant `percent` of the plan price for `months` as agent `agent_id` acting at `tier`."""
    if tier is Tier.BOT:
        raise ValueError("the bot makes offers through request_offer, not grants")
    actor = agent_actor(agent_id)
    history = account_history(session, account, now.date())
    monthly = discount_amount(history.monthly_price_cents, percent)
    check_authority(policy, tier, percent, monthly, months)
    period = discount_period(now.date(), months)
    check_stacking(session, account.id, tier, policy.limits(tier), period, percent, monthly)
    risk = churn_risk(history, now.date())
    row = _grant_row(
        account, tier, actor, (percent, monthly, months), reason, risk, now, conversation_id
    )
    session.add(row)
    session.flush()
    discount = apply_discount(session, row, actor, reason, now)
    record_audit(
        session,
        actor=actor,
        action="discount.granted",
        account_id=account.id,
        conversation_id=conversation_id,
        reason=reason,
        details={
            "offer_id": row.id,
            "percent": percent,
            "monthly_amount_cents": monthly,
            "months": months,
            "tier": tier.value,
        },
        now=now,
    )
    session.commit()
    logger.info("discount.granted", extra={"account_id": account.id, "outcome": tier.value})
    return discount
