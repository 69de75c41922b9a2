"""The enumerations stored in the billing tables."""

from __future__ import annotations

from enum import StrEnum


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
