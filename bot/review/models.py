"""Tables of the review: findings, and the seeded errors they are measured against."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.billing.models import Invoice, InvoiceLine
from bot.commerce.types import Tier
from bot.core.base import Base, string_enum
from bot.review.types import FindingStatus, RuleName


class Finding(Base):
    """Something a rule found unfair on an account, with its evidence and what became of it.

    `amount_cents` (= `net_cents` + `vat_cents`) is what the customer overpaid; a credit is
    always exactly this amount. One finding per rule and offending line (`dedup_key`), so running
    the review again finds the same rows.
    """

    __tablename__ = "review_findings"
    __table_args__ = (UniqueConstraint("account_id", "dedup_key"), Index(None, "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"))
    rule: Mapped[RuleName] = mapped_column(string_enum(RuleName, "review_rule"))
    dedup_key: Mapped[str] = mapped_column(String(120))
    net_cents: Mapped[int]
    vat_cents: Mapped[int]
    amount_cents: Mapped[int]
    summary: Mapped[str] = mapped_column(String(400))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[FindingStatus] = mapped_column(string_enum(FindingStatus, "finding_status"))
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustments.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    invoice: Mapped[Invoice] = relationship()
    # The offending line (`line_ids[0]`, on `invoice`): the summary names it when it is read.
    line: Mapped[InvoiceLine | None] = relationship()


class SeededBillingError(Base):
    """Ground truth of `bot seed`: a billing error put on purpose into a generated invoice.

    `line_id` is the offending line (for a missing discount: the plan charge it belongs to).
    """

    __tablename__ = "seeded_billing_errors"
    __table_args__ = (Index(None, "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("invoice_lines.id"))
    rule: Mapped[RuleName] = mapped_column(string_enum(RuleName, "review_rule"))


class CreditGrant(Base):
    """Who granted a credit (an adjustment) and at which tier: the bot's review credits and the
    desk's credits alike. A role's limit applies to the sum of its grants per account within
    CREDIT_LIMIT_WINDOW_DAYS (bot.review.allowance)."""

    __tablename__ = "credit_grants"
    __table_args__ = (Index(None, "account_id", "tier", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adjustment_id: Mapped[int] = mapped_column(ForeignKey("adjustments.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    tier: Mapped[Tier] = mapped_column(string_enum(Tier, "authority_tier"))
    actor: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int]
    created_at: Mapped[datetime]
