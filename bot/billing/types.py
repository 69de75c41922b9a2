"""Column types and the enumerations stored in the billing tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL keeps the offset (`timestamptz`); SQLite stores naive text, so values are
    converted to UTC on the way in and marked UTC on the way out. Naive input is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


class PlanKind(StrEnum):
    FIBER = "fiber"
    MOBILE = "mobile"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"


class InvoiceState(StrEnum):
    """Lifecycle of the document; whether it is paid is derived from payments (`ledger`)."""

    ISSUED = "issued"
    VOID = "void"


class LineKind(StrEnum):
    PLAN_CHARGE = "plan_charge"
    ADD_ON = "add_on"
    USAGE_OVERAGE = "usage_overage"
    ONE_TIME_FEE = "one_time_fee"
    LATE_FEE = "late_fee"
    PRORATION = "proration"
    TAX = "tax"
    DISCOUNT = "discount"
    CREDIT = "credit"


class PaymentMethod(StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    DIRECT_DEBIT = "direct_debit"


class AdjustmentKind(StrEnum):
    CREDIT = "credit"


class VerificationFactor(StrEnum):
    DATE_OF_BIRTH = "dob"
    POSTCODE = "postcode"


def string_enum(enum: type[StrEnum], name: str) -> Enum:
    """A VARCHAR column with a CHECK constraint holding the enum's values (portable)."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
