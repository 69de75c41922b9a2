"""SQLAlchemy models of the billing data. Money is integer cents; timestamps are UTC."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.billing.types import (
    AccountStatus,
    AdjustmentKind,
    ContactKind,
    ContractStatus,
    InvoiceState,
    LineKind,
    PaymentMethod,
    PlanKind,
    VerificationFactor,
)
from bot.core.base import Base, string_enum

Quantity = Numeric(12, 4)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[date]
    postcode: Mapped[str] = mapped_column(String(16))

    contacts: Mapped[list[Contact]] = relationship(back_populates="customer")
    accounts: Mapped[list[Account]] = relationship(back_populates="customer")


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[ContactKind] = mapped_column(string_enum(ContactKind, "contact_kind"))
    value: Mapped[str] = mapped_column(String(255))

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    account_number: Mapped[str] = mapped_column(String(6), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    status: Mapped[AccountStatus] = mapped_column(string_enum(AccountStatus, "account_status"))
    opened_on: Mapped[date]

    customer: Mapped[Customer] = relationship(back_populates="accounts")
    contracts: Mapped[list[Contract]] = relationship(back_populates="account")
    add_ons: Mapped[list[AccountAddOn]] = relationship(back_populates="account")


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[PlanKind] = mapped_column(string_enum(PlanKind, "plan_kind"))
    monthly_price_cents: Mapped[int]
    data_allowance_gb: Mapped[int | None]  # None: unlimited
    speed_mbps: Mapped[int | None]
    overage_unit: Mapped[str | None] = mapped_column(String(8))
    overage_unit_price_cents: Mapped[int | None]


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (Index(None, "account_id", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    promo_price_cents: Mapped[int | None]
    promo_end_date: Mapped[date | None]
    early_termination_fee_cents: Mapped[int]
    status: Mapped[ContractStatus] = mapped_column(string_enum(ContractStatus, "contract_status"))
    cancelled_on: Mapped[date | None]

    account: Mapped[Account] = relationship(back_populates="contracts")
    plan: Mapped[Plan] = relationship()


class AddOn(Base):
    __tablename__ = "add_ons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    monthly_price_cents: Mapped[int]


class AccountAddOn(Base):
    __tablename__ = "account_add_ons"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    add_on_id: Mapped[int] = mapped_column(ForeignKey("add_ons.id"))
    start_date: Mapped[date]
    end_date: Mapped[date | None]

    account: Mapped[Account] = relationship(back_populates="add_ons")
    add_on: Mapped[AddOn] = relationship()


class UsageRecord(Base):
    __tablename__ = "usage_records"
    __table_args__ = (UniqueConstraint("account_id", "period_month", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    period_month: Mapped[date]  # first day of the month
    unit: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    included: Mapped[Decimal | None] = mapped_column(Quantity)  # None: unlimited
    overage_quantity: Mapped[Decimal] = mapped_column(Quantity)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (Index(None, "account_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    number: Mapped[str] = mapped_column(String(32), unique=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    issue_date: Mapped[date]
    due_date: Mapped[date]
    status: Mapped[InvoiceState] = mapped_column(string_enum(InvoiceState, "invoice_state"))
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    subtotal_cents: Mapped[int]
    tax_cents: Mapped[int]
    total_cents: Mapped[int]

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice",
        foreign_keys="InvoiceLine.invoice_id",
        order_by="InvoiceLine.position",
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int]
    kind: Mapped[LineKind] = mapped_column(string_enum(LineKind, "line_kind"))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price_cents: Mapped[int]
    amount_cents: Mapped[int]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    add_on_id: Mapped[int | None] = mapped_column(ForeignKey("add_ons.id"))
    # For a late fee: the invoice that was paid late.
    related_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))

    invoice: Mapped[Invoice] = relationship(back_populates="lines", foreign_keys=[invoice_id])
    contract: Mapped[Contract | None] = relationship()
    add_on: Mapped[AddOn | None] = relationship()
    related_invoice: Mapped[Invoice | None] = relationship(foreign_keys=[related_invoice_id])


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (Index(None, "account_id", "paid_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    paid_on: Mapped[date]
    amount_cents: Mapped[int]
    method: Mapped[PaymentMethod] = mapped_column(string_enum(PaymentMethod, "payment_method"))

    invoice: Mapped[Invoice | None] = relationship()


class Adjustment(Base):
    __tablename__ = "adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    kind: Mapped[AdjustmentKind] = mapped_column(string_enum(AdjustmentKind, "adjustment_kind"))
    amount_cents: Mapped[int]  # positive: reduces what the customer owes
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class VerificationAttempt(Base):
    """One identity check. `account_number` is the text asked about, not a foreign key, so an
    unknown number is counted exactly like a known one. The factor's value is never stored."""

    __tablename__ = "verification_attempts"
    __table_args__ = (
        Index(None, "account_number", "created_at"),
        Index(None, "conversation_id", "created_at"),
        Index(None, "client_key", "created_at"),
        Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(6))
    conversation_id: Mapped[str] = mapped_column(String(255))
    # A keyed hash of the client's network address (never the address): failures are also
    # limited per client across accounts. None when the channel did not pass an address.
    client_key: Mapped[str | None] = mapped_column(String(64))
    factor: Mapped[VerificationFactor] = mapped_column(
        string_enum(VerificationFactor, "verification_factor")
    )
    succeeded: Mapped[bool]
    while_locked: Mapped[bool]  # answered `locked` without checking the factor
    created_at: Mapped[datetime]


class VerificationGuard(Base):
    """One row per account number, conversation and client that ever tried to verify. A check
    locks its rows first (PostgreSQL: FOR UPDATE), so concurrent checks of the same account,
    conversation or client are counted one after the other."""

    __tablename__ = "verification_guards"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # "account", "conversation", "client"
    key: Mapped[str] = mapped_column(String(255))


class PostcodeHold(Base):
    """A postcode given in a conversation, waiting for the latest invoice amount that must come
    with it. Only a keyed hash is kept, and only until the amount comes or `expires_at`."""

    __tablename__ = "postcode_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), unique=True)
    account_number: Mapped[str] = mapped_column(String(6))
    digest: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]


class VerifiedSession(Base):
    __tablename__ = "verified_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
