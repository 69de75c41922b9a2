"""Plan comparison and change: /api/v1/accounts/{acct}/plan-options, /plan-changes..."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.api.deps import SessionDep, SettingsDep, TextsDep, TodayDep, VerifiedAccount
from bot.api.idempotency import IdempotentWriteCtx, as_response
from bot.commerce import plan_changes
from bot.commerce.schemas import PlanChangeOut, PlanChangeQuote, PlanChangeRequest, PlanOptionsOut

router = APIRouter(prefix="/accounts/{acct}", tags=["plans"])


@router.get("/plan-options", response_model=PlanOptionsOut)
def plan_options(
    account: VerifiedAccount,
    session: SessionDep,
    today: TodayDep,
    settings: SettingsDep,
    texts: TextsDep,
) -> PlanOptionsOut:
    """Usage of the last three months, the cheapest plan that fits it, and the contract terms."""
    notice_days = settings.cancellation_notice_days
    return plan_changes.plan_options(session, account, today, notice_days, texts)


@router.post("/plan-changes/quote", response_model=PlanChangeQuote)
def quote(
    body: PlanChangeRequest,
    account: VerifiedAccount,
    session: SessionDep,
    today: TodayDep,
    texts: TextsDep,
) -> PlanChangeQuote:
    """What a change to `plan_code` today would change (nothing is written)."""
    return plan_changes.quote(session, account, today, body.plan_code, texts)


@router.post("/plan-changes", response_model=PlanChangeOut)
def change_plan(
    body: PlanChangeRequest, ctx: IdempotentWriteCtx, session: SessionDep, texts: TextsDep
) -> JSONResponse:
    """Change the plan today (needs step-up); the next invoice carries the proration."""
    return as_response(plan_changes.change_plan(session, ctx, body.plan_code, texts))
