"""Enumerations of disputes."""

from __future__ import annotations

from enum import StrEnum


class DisputeStatus(StrEnum):
    """`open`: waiting for a person; `in_review`: a person took it; then `resolved` (the
    customer was right, corrected) or `rejected` (the charge stands)."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"
    REJECTED = "rejected"
