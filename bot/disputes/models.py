"""The disputes table: a customer contests one invoice line."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.billing.models import Invoice, InvoiceLine
from bot.core.base import Base, string_enum
from bot.disputes.types import DisputeStatus


class Dispute(Base):
    """`reason` is the customer's own words: stored for the agent, never logged or audited."""

    __tablename__ = "disputes"
    __table_args__ = (Index(None, "account_id"), Index(None, "status", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("invoice_lines.id"))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[DisputeStatus] = mapped_column(string_enum(DisputeStatus, "dispute_status"))
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    invoice: Mapped[Invoice] = relationship()
    line: Mapped[InvoiceLine] = relationship()
