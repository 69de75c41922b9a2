"""Request and response bodies of the dispute routes (docs/api.md, "Disputes")."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from bot.core.schemas import Id, Schema


class DisputeIn(Schema):
    invoice_number: str = Field(min_length=1, max_length=32)
    line_id: Id
    reason: str = Field(min_length=1, max_length=500)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the reason may not be blank")
        return value.strip()


class DisputeOut(Schema):
    id: int
    status: str
    invoice_number: str
    line_id: int
    line_description: str
    amount: str
    currency: str
    reason: str
    created_at: datetime
    updated_at: datetime


class DisputeList(Schema):
    disputes: list[DisputeOut]


class OpenDispute(DisputeOut):
    """A dispute as an agent sees it in a list across accounts."""

    account_number: str
