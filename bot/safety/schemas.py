"""Request and response bodies of the step-up routes (docs/api.md, "Step-up verification")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from bot.core.schemas import Schema


class ChannelOut(Schema):
    id: str
    kind: Literal["email", "sms"]
    masked: str


class ChannelList(Schema):
    channels: list[ChannelOut]


class CodeRequest(Schema):
    channel_id: str = Field(min_length=1, max_length=64)


class CodeSent(Schema):
    status: Literal["sent"]
    channel: ChannelOut
    expires_at: datetime


class CodeCheck(Schema):
    code: str = Field(min_length=1, max_length=20)

    @field_validator("code")
    @classmethod
    def _six_digits(cls, value: str) -> str:
        digits = "".join(char for char in value if char not in " -")
        if len(digits) != 6 or not digits.isdigit():
            raise ValueError("expected the 6-digit code")
        return digits


class StepUpResult(Schema):
    status: Literal["verified", "failed", "expired", "locked"]
    attempts_left: int | None
    valid_until: datetime | None


class StepUpStatus(Schema):
    stepped_up: bool
    valid_until: datetime | None
