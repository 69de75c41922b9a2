"""Plan comparison, quote and change for a verified account (rules in `plans`).

A change takes effect today: the current contract ends yesterday and a new one on the new plan
starts today, keeping the current contract's end date and early-termination fee (a running
promotion does not carry over). If the current contract started today, its plan is swapped.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.billing.models import Contract, Plan, UsageRecord
from bot.billing.types import ContractStatus
from bot.commerce.cancellation import cancellation_terms
from bot.commerce.history import current_contract
from bot.commerce.plans import PlanFacts, proration, recommend
from bot.commerce.schemas import (
    ContractTermsOut,
    PlanChangeOut,
    PlanChangeQuote,
    PlanOptionsOut,
    PlanPriceOut,
    UsageMonthOut,
)
from bot.core.dates import add_months, month_start
from bot.core.errors import InvalidRequest, NotFound
from bot.core.money import format_amount, format_quantity
from bot.core.texts import Texts
from bot.safety.audit import audit_write
from bot.safety.idempotency import commit_once, replay
from bot.safety.step_up import require_step_up

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from bot.billing.models import Account
    from bot.safety.context import WriteContext
    from bot.safety.idempotency import StoredResponse

logger = logging.getLogger(__name__)
USAGE_MONTHS = 3


def _facts(plan: Plan) -> PlanFacts:
    return PlanFacts(
        code=plan.code,
        name=plan.name,
        kind=plan.kind.value,
        price_cents=plan.monthly_price_cents,
        allowance_gb=plan.data_allowance_gb,
        overage_cents_per_gb=plan.overage_unit_price_cents,
    )


def _price_out(plan: Plan | PlanFacts, currency: str) -> PlanPriceOut:
    facts = plan if isinstance(plan, PlanFacts) else _facts(plan)
    return PlanPriceOut(
        code=facts.code,
        name=facts.name,
        monthly_price=format_amount(facts.price_cents),
        data_allowance_gb=facts.allowance_gb,
        currency=currency,
    )


def _contract(session: Session, account: Account, today: date) -> Contract:
    contract = current_contract(session, account, today)
    if contract is None:
        raise NotFound("this account has no plan")
    return contract


def _usage(session: Session, account: Account, today: date) -> list[UsageRecord]:
    """Metered usage of the last three whole months, oldest first."""
    this_month = month_start(today)
    return list(
        session.scalars(
            select(UsageRecord)
            .where(
                UsageRecord.account_id == account.id,
                UsageRecord.unit == "GB",
                UsageRecord.period_month >= add_months(this_month, -USAGE_MONTHS),
                UsageRecord.period_month < this_month,
            )
            .order_by(UsageRecord.period_month)
        )
    )


def contract_terms(contract: Contract, today: date, notice_days: int) -> ContractTermsOut:
    terms = cancellation_terms(
        contract.end_date, contract.early_termination_fee_cents, today, notice_days
    )
    return ContractTermsOut(
        end_date=contract.end_date,
        early_termination_fee=format_amount(terms.fee_cents),
        notice_days=notice_days,
        earliest_end_date=terms.effective_date,
    )


def _summary(
    current: PlanFacts, best: PlanFacts, saving: int, has_usage: bool, texts: Texts
) -> str:
    if not has_usage:
        return texts("plan.summary.no_usage", plan=current.name)
    if best.code == current.code:
        return texts("plan.summary.best", plan=current.name)
    return texts("plan.summary.saving", plan=best.name, amount=texts.money(saving))


def plan_options(
    session: Session,
    account: Account,
    today: date,
    notice_days: int,
    texts: Texts | None = None,
) -> PlanOptionsOut:
    """Usage, current plan, the cheapest plan that fits, saving, and the contract terms."""
    contract = _contract(session, account, today)
    records = _usage(session, account, today)
    catalog = [_facts(plan) for plan in session.scalars(select(Plan).order_by(Plan.id))]
    current = _facts(contract.plan)
    advice = recommend(current, catalog, [record.quantity for record in records])
    best = current if advice is None else advice.plan
    cost = current.price_cents if advice is None else advice.current_cost_cents
    saving = 0 if advice is None else advice.saving_cents
    return PlanOptionsOut(
        usage=[
            UsageMonthOut(
                month=f"{record.period_month:%Y-%m}",
                used_gb=format_quantity(record.quantity),
                included_gb=None if record.included is None else format_quantity(record.included),
            )
            for record in records
        ],
        current_plan=_price_out(current, account.currency),
        current_monthly_cost=format_amount(cost),
        recommended_plan=None if advice is None else _price_out(best, account.currency),
        monthly_saving=format_amount(saving),
        already_best=advice is None or advice.already_best,
        summary=_summary(current, best, saving, advice is not None, texts or Texts()),
        contract=contract_terms(contract, today, notice_days),
    )


def _target(session: Session, contract: Contract, plan_code: str) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.code == plan_code))
    if plan is None:
        raise NotFound("no such plan")
    if plan.id == contract.plan_id:
        raise InvalidRequest("plan_code: that is already the current plan")
    if plan.kind is not contract.plan.kind:
        raise InvalidRequest(f"plan_code: only another {contract.plan.kind.value} plan fits")
    return plan


def _effective_price(contract: Contract, today: date) -> int:
    promo, promo_end = contract.promo_price_cents, contract.promo_end_date
    if promo is not None and promo_end is not None and promo_end >= today:
        return promo
    return contract.plan.monthly_price_cents


def _quote(
    contract: Contract, plan: Plan, today: date, currency: str, texts: Texts | None = None
) -> PlanChangeQuote:
    texts = texts or Texts()
    old_price = _effective_price(contract, today)
    new_price = plan.monthly_price_cents
    amount = proration(old_price, new_price, today)
    unit = texts.currency(currency)
    changes = [
        texts("plan.quote.becomes", old_plan=contract.plan.name, new_plan=plan.name),
        texts(
            "plan.quote.price",
            old_amount=texts.amount(old_price),
            new_amount=texts.amount(new_price),
            currency=unit,
        ),
        texts("plan.quote.next_invoice", amount=texts.amount(amount), currency=unit),
    ]
    if old_price != contract.plan.monthly_price_cents:
        changes.append(texts("plan.quote.promo_ends"))
    return PlanChangeQuote(
        current_plan=_price_out(contract.plan, currency),
        new_plan=_price_out(plan, currency),
        effective_date=today,
        proration_amount=format_amount(amount),
        new_monthly_price=format_amount(new_price),
        monthly_difference=format_amount(new_price - old_price),
        contract_end_date=contract.end_date,
        changes=changes,
        currency=currency,
    )


def quote(
    session: Session, account: Account, today: date, plan_code: str, texts: Texts | None = None
) -> PlanChangeQuote:
    """What changing to `plan_code` today would change; nothing is written."""
    contract = _contract(session, account, today)
    plan = _target(session, contract, plan_code)
    return _quote(contract, plan, today, account.currency, texts)


def _switch(session: Session, contract: Contract, plan: Plan, today: date) -> Contract:
    if contract.start_date >= today:
        contract.plan_id, contract.plan = plan.id, plan
        contract.promo_price_cents, contract.promo_end_date = None, None
        return contract
    end = contract.end_date if contract.end_date is None or contract.end_date >= today else None
    contract.end_date, contract.status = today - timedelta(days=1), ContractStatus.ENDED
    if contract.promo_end_date is not None and contract.promo_end_date > contract.end_date:
        contract.promo_end_date = contract.end_date
    new = Contract(
        account_id=contract.account_id,
        plan_id=plan.id,
        start_date=today,
        end_date=end,
        promo_price_cents=None,
        promo_end_date=None,
        early_termination_fee_cents=contract.early_termination_fee_cents,
        status=ContractStatus.ACTIVE,
        cancelled_on=None,
    )
    session.add(new)
    return new


def change_plan(
    session: Session, ctx: WriteContext, plan_code: str, texts: Texts | None = None
) -> StoredResponse:
    """Apply a plan change today (needs step-up); audited."""
    stored = replay(session, ctx.idempotency)
    if stored is not None:
        return stored
    require_step_up(session, ctx)
    today = ctx.now.date()
    contract = _contract(session, ctx.account, today)
    plan = _target(session, contract, plan_code)
    offer = _quote(contract, plan, today, ctx.account.currency, texts)
    old_code = contract.plan.code
    new_contract = _switch(session, contract, plan, today)
    session.flush()
    audit_write(
        session,
        ctx,
        action="plan.changed",
        reason=f"customer changed plan {old_code} -> {plan.code}",
        details={
            "from": old_code,
            "to": plan.code,
            "contract_id": new_contract.id,
            "proration": offer.proration_amount,
        },
    )
    body = PlanChangeOut(**offer.model_dump(), status="applied")
    logger.info("plan.changed", extra={"account_id": ctx.account.id, "outcome": "applied"})
    return commit_once(session, ctx.idempotency, ctx.now, 200, body)
