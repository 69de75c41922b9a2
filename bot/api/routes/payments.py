"""Paying: /api/v1/accounts/{acct}/payment-links, /arrangement-options, /arrangements(/quote),
/billing-preferences."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.api.deps import (
    DiscountPolicyDep,
    SessionDep,
    SettingsDep,
    TextsDep,
    TodayDep,
    VerifiedAccount,
)
from bot.api.idempotency import IdempotentWriteCtx, as_response
from bot.commerce import arrangements, payments
from bot.commerce.schemas import (
    ArrangementIn,
    ArrangementOptionsOut,
    ArrangementOut,
    ArrangementQuoteOut,
    BillingPreferences,
    PaymentLinkOut,
)

router = APIRouter(prefix="/accounts/{acct}", tags=["payments"])


@router.post("/payment-links", status_code=201, response_model=PaymentLinkOut)
def create_payment_link(
    ctx: IdempotentWriteCtx, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """A link to the payment provider's page for today's balance (no card data here)."""
    link = payments.LinkSettings(settings.payment_link_base_url, settings.payment_link_hours)
    return as_response(payments.create_payment_link(session, ctx, link))


@router.get("/arrangement-options", response_model=ArrangementOptionsOut)
def arrangement_options(
    account: VerifiedAccount,
    session: SessionDep,
    today: TodayDep,
    policy: DiscountPolicyDep,
    texts: TextsDep,
) -> ArrangementOptionsOut:
    """Whether the balance can be moved or split today, and within which limits."""
    return arrangements.options(session, account, today, policy.arrangements, texts)


@router.post("/arrangements/quote", response_model=ArrangementQuoteOut)
def quote_arrangement(
    body: ArrangementIn,
    account: VerifiedAccount,
    session: SessionDep,
    today: TodayDep,
    policy: DiscountPolicyDep,
) -> ArrangementQuoteOut:
    """Every date and amount the arrangement would have if set up today (nothing is written)."""
    return arrangements.quote_arrangement(session, account, today, body, policy.arrangements)


@router.post("/arrangements", status_code=201, response_model=ArrangementOut)
def create_arrangement(
    body: ArrangementIn, ctx: IdempotentWriteCtx, session: SessionDep, policy: DiscountPolicyDep
) -> JSONResponse:
    """Move the due date or split the balance (needs step-up)."""
    return as_response(arrangements.create_arrangement(session, ctx, body, policy.arrangements))


@router.get("/billing-preferences", response_model=BillingPreferences)
def get_billing_preferences(account: VerifiedAccount, session: SessionDep) -> BillingPreferences:
    return payments.billing_preferences(session, account)


@router.put("/billing-preferences", response_model=BillingPreferences)
def put_billing_preferences(
    body: BillingPreferences, ctx: IdempotentWriteCtx, session: SessionDep
) -> JSONResponse:
    """Set autopay and e-billing (needs step-up)."""
    return as_response(payments.set_billing_preferences(session, ctx, body))
