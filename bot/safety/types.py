"""Enumerations stored in the write-safety tables."""

from __future__ import annotations

from enum import StrEnum


class ChallengeState(StrEnum):
    """A one-time code: waiting for an answer, answered, burnt, or replaced by a newer one."""

    PENDING = "pending"
    VERIFIED = "verified"
    LOCKED = "locked"
    SUPERSEDED = "superseded"


class OutboxChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxStatus(StrEnum):
    """`queued`: stored, not handed to a delivery service (the embedded default keeps it so)."""

    QUEUED = "queued"
    SENT = "sent"
