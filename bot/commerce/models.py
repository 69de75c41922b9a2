"""Tables of offers and discounts, cancellation requests, payment links and arrangements.

They share `Base` (naming convention, Alembic metadata) with the billing tables. Money is
integer cents; timestamps are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.commerce.types import (
    ArrangementKind,
    ArrangementStatus,
    CancellationStatus,
    OfferStatus,
    Tier,
    Trigger,
)
from bot.core.base import Base, string_enum


class Offer(Base):
    """One decision about a discount: made, held out, refused or referred; then the answer.

    `actor` is `bot` or `agent:<id>`; `tier` is the authority the offer needs; `period` is the
    holdout period it was decided in. Percent, amount and months are set for offers and
    referrals, empty for `holdout` and `not_eligible`.
    """

    __tablename__ = "offers"
    __table_args__ = (Index(None, "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    trigger: Mapped[Trigger] = mapped_column(string_enum(Trigger, "offer_trigger"))
    status: Mapped[OfferStatus] = mapped_column(string_enum(OfferStatus, "offer_status"))
    offer_code: Mapped[str | None] = mapped_column(String(32))
    percent: Mapped[int | None]
    monthly_amount_cents: Mapped[int | None]
    months: Mapped[int | None]
    tier: Mapped[Tier | None] = mapped_column(string_enum(Tier, "authority_tier"))
    reason: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(64))
    churn_risk: Mapped[Decimal] = mapped_column(Numeric(3, 2))
    period: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]


class AccountDiscount(Base):
    """A discount applied to an account's plan charge from `start_date` to `end_date`."""

    __tablename__ = "account_discounts"
    __table_args__ = (Index(None, "account_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), unique=True)
    percent: Mapped[int]
    monthly_amount_cents: Mapped[int]
    months: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date]
    granted_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]


class CancellationRequest(Base):
    __tablename__ = "cancellation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[CancellationStatus] = mapped_column(
        string_enum(CancellationStatus, "cancellation_status")
    )
    reason: Mapped[str] = mapped_column(String(500))
    effective_date: Mapped[date]
    early_termination_fee_cents: Mapped[int]
    actor: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]


class PaymentLink(Base):
    """A link to pay the open balance on the payment provider's page. Only a hash of the
    link's token is kept; the back end never sees card numbers."""

    __tablename__ = "payment_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class PaymentArrangement(Base):
    __tablename__ = "payment_arrangements"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[ArrangementKind] = mapped_column(string_enum(ArrangementKind, "arrangement_kind"))
    status: Mapped[ArrangementStatus] = mapped_column(
        string_enum(ArrangementStatus, "arrangement_status")
    )
    total_cents: Mapped[int]
    extension_days: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]

    instalments: Mapped[list[ArrangementInstalment]] = relationship(
        back_populates="arrangement", order_by="ArrangementInstalment.number"
    )


class ArrangementInstalment(Base):
    __tablename__ = "arrangement_instalments"

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("payment_arrangements.id"), index=True)
    number: Mapped[int]
    due_date: Mapped[date]
    amount_cents: Mapped[int]

    arrangement: Mapped[PaymentArrangement] = relationship(back_populates="instalments")


class BillingPreference(Base):
    __tablename__ = "billing_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    autopay: Mapped[bool]
    e_billing: Mapped[bool]
    updated_at: Mapped[datetime]
