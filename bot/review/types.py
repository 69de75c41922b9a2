"""Enumerations of the fair-treatment review."""

from __future__ import annotations

from enum import StrEnum


class RuleName(StrEnum):
    DUPLICATE_CHARGE = "duplicate_charge"
    LATE_FEE_PAID_ON_TIME = "late_fee_paid_on_time"
    CHARGE_AFTER_CANCELLATION = "charge_after_cancellation"
    PROMO_NOT_APPLIED = "promo_not_applied"
    ABOVE_CONTRACT_PRICE = "above_contract_price"


class FindingStatus(StrEnum):
    """`open`: found; `credited`: the bot credited it; `escalated`: beyond the bot's authority,
    waiting for a person; `dismissed`: a person decided it is not an error."""

    OPEN = "open"
    CREDITED = "credited"
    ESCALATED = "escalated"
    DISMISSED = "dismissed"
