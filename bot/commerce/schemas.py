"""Request and response bodies of the commerce routes (docs/api.md). Money is a 2-decimal string."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import Field, model_validator

from bot.core.schemas import Schema

CustomerTrigger = Literal["price_complaint", "discount_request", "cancellation"]


# --- offers -------------------------------------------------------------------------------------


class OfferRequest(Schema):
    trigger: CustomerTrigger


class OfferOut(Schema):
    id: int
    code: str
    name: str
    percent: int
    monthly_amount: str
    months: int
    total_amount: str
    currency: str
    status: Literal["offered", "accepted", "declined"]
    expires_at: datetime | None


class OfferDecisionOut(Schema):
    decision: Literal["offer", "holdout", "not_eligible", "needs_human"]
    offer: OfferOut | None
    reason: str
    decision_id: int
    required_tier: Literal["agent", "supervisor"] | None
    churn_risk: float


class DiscountOut(Schema):
    percent: int
    monthly_amount: str
    months: int
    start_date: date
    end_date: date
    currency: str


class OfferAnswerOut(Schema):
    offer: OfferOut
    discount: DiscountOut | None


# --- plans --------------------------------------------------------------------------------------


class UsageMonthOut(Schema):
    month: str  # YYYY-MM
    used_gb: str
    included_gb: str | None


class PlanPriceOut(Schema):
    code: str
    name: str
    monthly_price: str
    data_allowance_gb: int | None
    currency: str


class ContractTermsOut(Schema):
    end_date: date | None
    early_termination_fee: str  # if the customer gave notice today
    notice_days: int
    earliest_end_date: date


class PlanOptionsOut(Schema):
    usage: list[UsageMonthOut]
    current_plan: PlanPriceOut
    current_monthly_cost: str  # price + average extra-usage charge of those months
    recommended_plan: PlanPriceOut | None
    monthly_saving: str
    already_best: bool
    summary: str
    contract: ContractTermsOut | None


class PlanChangeRequest(Schema):
    plan_code: str = Field(min_length=1, max_length=32)


class PlanChangeQuote(Schema):
    current_plan: PlanPriceOut
    new_plan: PlanPriceOut
    effective_date: date
    proration_amount: str
    new_monthly_price: str
    monthly_difference: str
    contract_end_date: date | None
    changes: list[str]
    currency: str


class PlanChangeOut(PlanChangeQuote):
    status: Literal["applied"]


# --- cancellation -------------------------------------------------------------------------------


class CancellationIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class CancellationOut(Schema):
    id: int
    status: Literal["requested", "withdrawn", "completed"]
    effective_date: date
    early_termination_fee: str
    currency: str
    requested_at: datetime


class CancellationTermsOut(Schema):
    contract_end_date: date | None
    notice_days: int
    effective_date: date  # if notice is given today
    early_termination_fee: str
    fee_applies: bool
    currency: str
    pending_request: CancellationOut | None


# --- payments -----------------------------------------------------------------------------------


class PaymentLinkOut(Schema):
    url: str
    amount: str
    currency: str
    expires_at: datetime


class ArrangementOptionOut(Schema):
    kind: Literal["extend_due_date", "split"]
    max_days: int | None
    instalments: list[int] | None


class ArrangementOptionsOut(Schema):
    eligible: bool
    reason: str
    balance: str
    currency: str
    base_date: date
    options: list[ArrangementOptionOut]


class ArrangementIn(Schema):
    kind: Literal["extend_due_date", "split"]
    days: int | None = Field(default=None, ge=1, le=366)
    instalments: int | None = Field(default=None, ge=2, le=12)

    @model_validator(mode="after")
    def _fields_of_the_kind(self) -> Self:
        if self.kind == "extend_due_date" and (self.days is None or self.instalments is not None):
            raise ValueError("extend_due_date takes `days` (and no `instalments`)")
        if self.kind == "split" and (self.instalments is None or self.days is not None):
            raise ValueError("split takes `instalments` (and no `days`)")
        return self


class InstalmentOut(Schema):
    number: int
    due_date: date
    amount: str


class ArrangementOut(Schema):
    id: int
    kind: Literal["extend_due_date", "split"]
    status: Literal["active", "completed", "cancelled"]
    total: str
    currency: str
    instalments: list[InstalmentOut]


class ArrangementQuoteOut(Schema):
    """What an arrangement would be, before anything is set up."""

    kind: Literal["extend_due_date", "split"]
    total: str
    currency: str
    instalments: list[InstalmentOut]


class BillingPreferences(Schema):
    autopay: bool
    e_billing: bool
