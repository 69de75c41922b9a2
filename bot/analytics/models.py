"""What happened after an offer decision or a conversation: the evidence retention is measured on.

One row per event: `stayed` (the customer was still there on `occurred_on`, the last day
observed), `cancelled`, `downgraded` or `came_back` (a repeat contact about the same thing).
`started_on` is the decision's or conversation's day (time zero of survival); `offer_code` is
the offer the decision was about (made, or for a holdout the one that would have been made);
`segment` is the customer's segment on that day.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.base import Base, string_enum


class OutcomeKind(StrEnum):
    STAYED = "stayed"
    CANCELLED = "cancelled"
    DOWNGRADED = "downgraded"
    CAME_BACK = "came_back"


class Outcome(Base):
    __tablename__ = "outcomes"
    __table_args__ = (Index(None, "account_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    offer_code: Mapped[str | None] = mapped_column(String(32))
    segment: Mapped[str] = mapped_column(String(32))
    kind: Mapped[OutcomeKind] = mapped_column(string_enum(OutcomeKind, "outcome_kind"))
    started_on: Mapped[date]
    occurred_on: Mapped[date]
    recorded_at: Mapped[datetime]
