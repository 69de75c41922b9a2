"""Fair-treatment review: /api/v1/accounts/{acct}/reviews and /findings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse

from bot.api.deps import SessionDep, SettingsDep, TextsDep, VerifiedAccount
from bot.api.idempotency import IdempotentWriteCtx, as_response
from bot.core.money import round_to_cents
from bot.core.schemas import Id
from bot.review import credits, service
from bot.review.schemas import CreditOut, FindingList, ReviewOut, ReviewRequest
from bot.review.types import FindingStatus

router = APIRouter(prefix="/accounts/{acct}", tags=["review"])


def credit_limit(settings: SettingsDep) -> int:
    """BOT_CREDIT_LIMIT in cents: the largest credit the bot may grant on its own."""
    return round_to_cents(settings.bot_credit_limit)


LimitDep = Annotated[int, Depends(credit_limit)]


@router.post("/reviews", response_model=ReviewOut)
def run_review(
    ctx: IdempotentWriteCtx,
    session: SessionDep,
    limit: LimitDep,
    texts: TextsDep,
    body: Annotated[ReviewRequest | None, Body()] = None,
) -> JSONResponse:
    """Check the account's invoices (or one) against every rule; new findings are stored."""
    number = body.invoice_number if body else None
    return as_response(service.review_request(session, ctx, number, limit, texts))


@router.get("/findings", response_model=FindingList)
def list_findings(
    account: VerifiedAccount,
    session: SessionDep,
    limit: LimitDep,
    texts: TextsDep,
    status: Annotated[FindingStatus | None, Query()] = None,
) -> FindingList:
    """The account's findings, newest first."""
    return service.list_findings(session, account, limit, status, texts)


@router.post(
    "/findings/{finding_id}/credit",
    status_code=201,
    response_model=CreditOut,
    responses={403: {"description": "Not verified, or step-up required (`step_up_required`)"}},
)
def credit_finding(
    finding_id: Id,
    ctx: IdempotentWriteCtx,
    session: SessionDep,
    limit: LimitDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Credit exactly the finding's amount (needs a live step-up and an Idempotency-Key).
    BOT_CREDIT_LIMIT holds for all the bot's credits to the account within
    CREDIT_LIMIT_WINDOW_DAYS; beyond it the finding goes to a person (409 `beyond_authority`)."""
    window = settings.credit_limit_window_days
    return as_response(credits.credit_finding(session, ctx, finding_id, limit, window))
