"""Discount and retention offers: /api/v1/accounts/{acct}/offers..."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.api.deps import DiscountPolicyDep, SessionDep, TextsDep
from bot.api.idempotency import IdempotentWriteCtx, as_response
from bot.commerce import offers
from bot.commerce.schemas import OfferAnswerOut, OfferDecisionOut, OfferRequest
from bot.commerce.types import Trigger
from bot.core.schemas import Id

router = APIRouter(prefix="/accounts/{acct}/offers", tags=["offers"])


@router.post("", status_code=201, response_model=OfferDecisionOut)
def request_offer(
    body: OfferRequest,
    ctx: IdempotentWriteCtx,
    session: SessionDep,
    policy: DiscountPolicyDep,
    texts: TextsDep,
) -> JSONResponse:
    """The best offer the bot may make for this trigger, or why none; the decision is recorded."""
    return as_response(offers.request_offer(session, ctx, policy, Trigger(body.trigger), texts))


@router.post("/{offer_id}/accept", response_model=OfferAnswerOut)
def accept_offer(
    offer_id: Id,
    ctx: IdempotentWriteCtx,
    session: SessionDep,
    policy: DiscountPolicyDep,
    texts: TextsDep,
) -> JSONResponse:
    """Accept an open offer (needs step-up): the discount applies from the 1st of next month."""
    return as_response(offers.accept_offer(session, ctx, policy, offer_id, texts))


@router.post("/{offer_id}/decline", response_model=OfferAnswerOut)
def decline_offer(
    offer_id: Id,
    ctx: IdempotentWriteCtx,
    session: SessionDep,
    policy: DiscountPolicyDep,
    texts: TextsDep,
) -> JSONResponse:
    """Record that the customer declined an open offer."""
    return as_response(offers.decline_offer(session, ctx, policy, offer_id, texts))
