"""Request and response bodies of the review routes (docs/api.md, "Fair-treatment review")."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from bot.core.schemas import Schema


class ReviewRequest(Schema):
    invoice_number: str | None = Field(default=None, min_length=1, max_length=32)


class FindingOut(Schema):
    id: int
    rule: str
    status: str
    invoice_number: str
    line_ids: list[int]  # the offending line first
    amount: str  # what the customer overpaid, VAT included; a credit is exactly this
    net_amount: str
    vat: str
    currency: str
    summary: str
    evidence: dict[str, Any]
    bot_can_credit: bool  # open and within the bot's credit limit
    created_at: datetime


class ReviewOut(Schema):
    invoices_checked: int
    rules: list[str]
    new_findings: int
    findings: list[FindingOut]


class FindingList(Schema):
    findings: list[FindingOut]


class CreditDetail(Schema):
    id: int
    amount: str
    currency: str
    invoice_number: str
    created_at: datetime


class CreditOut(Schema):
    finding_id: int
    status: Literal["credited"]
    credit: CreditDetail
    balance: str  # the account's balance after the credit (negative: in credit)
