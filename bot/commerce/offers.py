"""Discount and retention offers: decide and record, accept, decline, and agent grants.

Every decision is a row of `offers` (offered, holdout, not_eligible or needs_human) with the
percent, amount, months, reason, actor and conversation. Accepting applies the discount to the
account (`account_discounts`) from the 1st of next month for the offer's months; accepting and
declining are audited; an accepted offer may not stack with the discounts running in the same
months beyond the bot's tier (bot.commerce.stacking). An agent grants a discount by hand within
the agent tier (`grant_discount`).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from bot.analytics.segments import latest_segment
from bot.commerce.decisions import decide, holdout_period
from bot.commerce.history import account_history
from bot.commerce.models import AccountDiscount, Offer
from bot.commerce.schemas import DiscountOut, OfferAnswerOut, OfferDecisionOut, OfferOut
from bot.commerce.stacking import check_stacking
from bot.commerce.types import Decision, OfferStatus, Tier, Trigger
from bot.core.dates import add_months, month_start
from bot.core.errors import AuthorityUsedUp, NotFound, OfferUnavailable
from bot.core.language import Language
from bot.core.money import format_amount
from bot.core.texts import Texts
from bot.safety.audit import audit_write
from bot.safety.idempotency import commit_once, replay
from bot.safety.step_up import require_step_up

if TYPE_CHECKING:
    from datetime import date, datetime

    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.commerce.decisions import OfferDecision
    from bot.commerce.policy import DiscountPolicy
    from bot.safety.context import WriteContext
    from bot.safety.idempotency import StoredResponse

logger = logging.getLogger(__name__)
_STATUS = {
    Decision.OFFER: OfferStatus.OFFERED,
    Decision.HOLDOUT: OfferStatus.HOLDOUT,
    Decision.NOT_ELIGIBLE: OfferStatus.NOT_ELIGIBLE,
    Decision.NEEDS_HUMAN: OfferStatus.NEEDS_HUMAN,
}

_SHOWN: dict[OfferStatus, Literal["offered", "accepted", "declined"]] = {
    OfferStatus.OFFERED: "offered",
    OfferStatus.ACCEPTED: "accepted",
    OfferStatus.DECLINED: "declined",
}
_NOT_OFFERS = (OfferStatus.HOLDOUT, OfferStatus.NOT_ELIGIBLE, OfferStatus.NEEDS_HUMAN)
_HUMAN_TIERS: dict[Tier, Literal["agent", "supervisor"]] = {
    Tier.AGENT: "agent",
    Tier.SUPERVISOR: "supervisor",
}


def offer_name(texts: Texts | None, code: str, name: str) -> str:
    """The policy's (English) name of an offer, translated by the catalogue (`offer.<code>`)
    when the customer's language is another and the catalogue knows the offer."""
    key = f"offer.{code}"
    if texts is None or texts.language is Language.EN or not texts.has(key):
        return name
    return texts(key)


def _offer_out(row: Offer, name: str, currency: str, texts: Texts | None = None) -> OfferOut:
    monthly, months = row.monthly_amount_cents or 0, row.months or 0
    status = _SHOWN[row.status]
    return OfferOut(
        id=row.id,
        code=row.offer_code or "",
        name=offer_name(texts, row.offer_code or "", name),
        percent=row.percent or 0,
        monthly_amount=format_amount(monthly),
        months=months,
        total_amount=format_amount(monthly * months),
        currency=currency,
        status=status,
        expires_at=row.expires_at,
    )


def _name(policy: DiscountPolicy, code: str | None) -> str:
    names = {offer.code: offer.name for offer in policy.offers}
    return names.get(code or "", "Discount")


def _decision_row(
    ctx: WriteContext, policy: DiscountPolicy, trigger: Trigger, result: OfferDecision
) -> Offer:
    """The `offers` row recording one decision."""
    proposed, today = result.offer, ctx.now.date()
    return Offer(
        account_id=ctx.account.id,
        conversation_id=ctx.conversation_id or None,
        trigger=trigger,
        status=_STATUS[result.decision],
        offer_code=proposed.code if proposed else None,
        percent=proposed.percent if proposed else None,
        monthly_amount_cents=proposed.monthly_amount_cents if proposed else None,
        months=proposed.months if proposed else None,
        tier=result.required_tier,
        reason=result.reason[:300],
        actor=ctx.actor,
        churn_risk=Decimal(str(result.churn_risk)),
        period=holdout_period(today),
        created_at=ctx.now,
        expires_at=ctx.now + timedelta(days=policy.offer_valid_days) if proposed else None,
        responded_at=None,
    )


def request_offer(
    session: Session,
    ctx: WriteContext,
    policy: DiscountPolicy,
    trigger: Trigger,
    texts: Texts | None = None,
) -> StoredResponse:
    """Decide what `trigger` earns the account, record the decision and answer it (201)."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    today = ctx.now.date()
    history = account_history(session, ctx.account, today)
    segment = latest_segment(session, ctx.account.id) if policy.uplift.enabled else None
    result = decide(policy, history, ctx.account.account_number, trigger, today, segment)
    row = _decision_row(ctx, policy, trigger, result)
    session.add(row)
    session.flush()
    shown = result.offer if result.decision is Decision.OFFER else None
    tier = result.required_tier if result.decision is Decision.NEEDS_HUMAN else None
    body = OfferDecisionOut(
        decision=result.decision.value,
        offer=None if shown is None else _offer_out(row, shown.name, ctx.account.currency, texts),
        reason=result.reason,
        decision_id=row.id,
        required_tier=None if tier is None else _HUMAN_TIERS.get(tier),
        churn_risk=result.churn_risk,
    )
    answer = commit_once(session, ctx.idempotency, ctx.now, 201, body)
    logger.info(
        "offer.decided",
        extra={
            "conversation_id": ctx.conversation_id,
            "account_id": ctx.account.id,
            "outcome": result.decision.value,
        },
    )
    return answer


def _open_offer(session: Session, account: Account, offer_id: int, now: datetime) -> Offer:
    row = session.scalar(select(Offer).where(Offer.id == offer_id, Offer.account_id == account.id))
    if row is None or row.status in _NOT_OFFERS:
        raise NotFound("no such offer for this account")
    if row.status is not OfferStatus.OFFERED:
        raise OfferUnavailable(f"this offer was already {row.status.value.replace('_', ' ')}")
    if row.expires_at is not None and now >= row.expires_at:
        raise OfferUnavailable("this offer has expired; ask for a new one")
    return row


def discount_period(today: date, months: int) -> tuple[date, date]:
    """A discount starts on the 1st of next month and lasts `months` whole months."""
    start = add_months(month_start(today), 1)
    return start, add_months(start, months) - timedelta(days=1)


def apply_discount(
    session: Session, row: Offer, actor: str, reason: str, now: datetime
) -> AccountDiscount:
    """The accepted offer `row` as a discount from the 1st of next month (added to `session`)."""
    start, end = discount_period(now.date(), row.months or 0)
    discount = AccountDiscount(
        account_id=row.account_id,
        offer_id=row.id,
        percent=row.percent or 0,
        monthly_amount_cents=row.monthly_amount_cents or 0,
        months=row.months or 0,
        start_date=start,
        end_date=end,
        granted_by=actor,
        reason=reason[:300],
        created_at=now,
    )
    session.add(discount)
    return discount


def _discount_out(discount: AccountDiscount, currency: str) -> DiscountOut:
    return DiscountOut(
        percent=discount.percent,
        monthly_amount=format_amount(discount.monthly_amount_cents),
        months=discount.months,
        start_date=discount.start_date,
        end_date=discount.end_date,
        currency=currency,
    )


def _details(row: Offer) -> dict[str, object]:
    return {
        "offer_id": row.id,
        "offer_code": row.offer_code,
        "percent": row.percent,
        "monthly_amount_cents": row.monthly_amount_cents,
        "months": row.months,
    }


def _still_within_policy(
    session: Session, ctx: WriteContext, policy: DiscountPolicy, row: Offer
) -> None:
    """Two open offers must not become two discounts: the count is checked again."""
    rules = {rule.code: rule for rule in policy.offers}
    rule = rules.get(row.offer_code or "")
    given = account_history(session, ctx.account, ctx.now.date()).discounts_12m
    if rule is None or given > rule.eligibility.max_discounts_12m:
        raise OfferUnavailable("this offer is no longer available; ask for a new one")
    # Nor may it stack with discounts running in the same months beyond the bot's tier.
    period = discount_period(ctx.now.date(), row.months or 0)
    terms = (row.percent or 0, row.monthly_amount_cents or 0)
    try:
        check_stacking(session, ctx.account.id, Tier.BOT, policy.limits(Tier.BOT), period, *terms)
    except AuthorityUsedUp:
        raise OfferUnavailable(
            "this offer would add to the discounts already running on the account beyond what "
            "the bot may give; a colleague can help"
        ) from None


def accept_offer(
    session: Session,
    ctx: WriteContext,
    policy: DiscountPolicy,
    offer_id: int,
    texts: Texts | None = None,
) -> StoredResponse:
    """Accept an open offer (needs step-up): the discount is applied and audited."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    require_step_up(session, ctx)
    row = _open_offer(session, ctx.account, offer_id, ctx.now)
    _still_within_policy(session, ctx, policy, row)
    row.status, row.responded_at = OfferStatus.ACCEPTED, ctx.now
    name = _name(policy, row.offer_code)
    discount = apply_discount(session, row, ctx.actor, f"{name} accepted", ctx.now)
    reason = f"customer accepted the {name}"
    audit_write(session, ctx, action="offer.accepted", reason=reason, details=_details(row))
    body = OfferAnswerOut(
        offer=_offer_out(row, name, ctx.account.currency, texts),
        discount=_discount_out(discount, ctx.account.currency),
    )
    return commit_once(session, ctx.idempotency, ctx.now, 200, body)


def decline_offer(
    session: Session,
    ctx: WriteContext,
    policy: DiscountPolicy,
    offer_id: int,
    texts: Texts | None = None,
) -> StoredResponse:
    """Record that the customer said no to an open offer."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    row = _open_offer(session, ctx.account, offer_id, ctx.now)
    row.status, row.responded_at = OfferStatus.DECLINED, ctx.now
    name = _name(policy, row.offer_code)
    reason = f"customer declined the {name}"
    audit_write(session, ctx, action="offer.declined", reason=reason, details=_details(row))
    body = OfferAnswerOut(offer=_offer_out(row, name, ctx.account.currency, texts), discount=None)
    return commit_once(session, ctx.idempotency, ctx.now, 200, body)
