"""Cancellation: /api/v1/accounts/{acct}/cancellation-terms and /cancellations."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.api.deps import SessionDep, SettingsDep, TodayDep, VerifiedAccount
from bot.api.idempotency import IdempotentWriteCtx, as_response
from bot.commerce import cancellation
from bot.commerce.schemas import CancellationIn, CancellationOut, CancellationTermsOut

router = APIRouter(prefix="/accounts/{acct}", tags=["cancellation"])


@router.get("/cancellation-terms", response_model=CancellationTermsOut)
def cancellation_terms(
    account: VerifiedAccount, session: SessionDep, today: TodayDep, settings: SettingsDep
) -> CancellationTermsOut:
    """Contract end, notice, and the early-termination fee if notice is given today."""
    return cancellation.terms(session, account, today, settings.cancellation_notice_days)


@router.post("/cancellations", status_code=201, response_model=CancellationOut)
def request_cancellation(
    body: CancellationIn, ctx: IdempotentWriteCtx, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """Record a cancellation request (needs step-up)."""
    notice = settings.cancellation_notice_days
    return as_response(cancellation.request_cancellation(session, ctx, body.reason, notice))
