"""Request and response bodies of the billing API (docs/api.md). Money is a two-decimal string."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from bot.billing.stated_amounts import parse_stated_amount
from bot.core.schemas import Schema

AccountNumber = str


class VerificationRequest(Schema):
    """A date of birth alone, or a postcode with the latest invoice's total (`invoice_amount`).

    The amount alone checks the postcode held for the conversation (PUT .../postcode); a
    postcode without the amount is answered and counted as a failed attempt.
    """

    conversation_id: str = Field(min_length=1, max_length=255)
    account_number: AccountNumber = Field(pattern=r"^\s*\d{6}\s*$")
    date_of_birth: date | None = None
    postcode: str | None = Field(default=None, min_length=1, max_length=16)
    invoice_amount: str | None = Field(
        default=None, min_length=1, max_length=32, examples=["54.17", "54,17", "€54.17"]
    )
    client_address: str | None = Field(default=None, min_length=1, max_length=64)

    @field_validator("account_number")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("invoice_amount")
    @classmethod
    def _amount(cls, value: str | None) -> str | None:
        if value is not None:
            parse_stated_amount(value)
        return value

    @property
    def invoice_amount_cents(self) -> int | None:
        return None if self.invoice_amount is None else parse_stated_amount(self.invoice_amount)

    @model_validator(mode="after")
    def _exactly_one_factor(self) -> Self:
        postcode_side = self.postcode is not None or self.invoice_amount is not None
        if (self.date_of_birth is None) != postcode_side:
            raise ValueError(
                "give either date_of_birth, or postcode and/or invoice_amount (not both kinds)"
            )
        return self


class PostcodeHoldRequest(Schema):
    account_number: AccountNumber = Field(pattern=r"^\s*\d{6}\s*$")
    postcode: str = Field(min_length=1, max_length=16)

    @field_validator("account_number")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class VerifiedCustomer(Schema):
    first_name: str
    account_number: AccountNumber


class VerificationResult(Schema):
    status: Literal["verified", "failed", "locked"]
    attempts_left: int | None
    locked_until: datetime | None
    customer: VerifiedCustomer | None


class PlanOut(Schema):
    name: str
    monthly_price: str
    currency: str


class ContractOut(Schema):
    start_date: date
    end_date: date | None
    promo_price: str | None
    promo_end_date: date | None
    early_termination_fee: str


class AddOnOut(Schema):
    name: str
    monthly_price: str


class AccountOut(Schema):
    account_number: AccountNumber
    first_name: str
    last_name: str
    plan: PlanOut | None
    contract: ContractOut | None
    add_ons: list[AddOnOut]


class LastPayment(Schema):
    date: date
    amount: str


class InvoiceBrief(Schema):
    number: str
    total: str
    due_date: date
    status: str


class BalanceOut(Schema):
    balance: str
    currency: str
    overdue: str
    next_due_date: date | None
    last_payment: LastPayment | None
    latest_invoice: InvoiceBrief | None


class InvoiceSummary(Schema):
    number: str
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    total: str
    currency: str
    status: str


class InvoiceList(Schema):
    invoices: list[InvoiceSummary]


class InvoiceLineOut(Schema):
    id: int
    kind: str
    description: str  # the line's name in the answer's language (English: as stored)
    quantity: str
    unit_price: str
    amount: str
    explanation: str


class InvoiceDetail(Schema):
    number: str
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    status: str
    currency: str
    subtotal: str
    tax: str
    total: str
    lines: list[InvoiceLineOut]


class ChangeOut(Schema):
    cause: str
    amount: str
    explanation: str
    line_ids: list[int]
    previous_line_ids: list[int]


class InvoiceChanges(Schema):
    invoice_number: str
    period_start: date
    period_end: date
    previous_invoice_number: str
    previous_period_start: date
    previous_period_end: date
    currency: str
    previous_total: str
    total: str
    difference: str
    changes: list[ChangeOut]


class ChargeOrigin(Schema):
    type: Literal["plan", "add_on", "usage", "fee", "late_fee", "tax", "discount", "credit"]
    name: str
    invoice_number: str | None  # a late fee: the invoice that was paid late


class ChargeOut(Schema):
    line_id: int
    invoice_number: str
    kind: str
    description: str  # the line's name in the answer's language (English: as stored)
    amount: str
    currency: str
    period_start: date
    period_end: date
    explanation: str
    origin: ChargeOrigin


class ChargeList(Schema):
    charges: list[ChargeOut]


class PaymentOut(Schema):
    date: date
    amount: str
    currency: str
    method: str
    invoice_number: str | None


class PaymentList(Schema):
    payments: list[PaymentOut]
