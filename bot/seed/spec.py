"""A customer described by what they have and do; `invoicing` derives the bills from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.billing.types import LineKind, PaymentMethod
from bot.seed.catalog import AddOnItem, Fee, PlanItem


@dataclass(frozen=True, slots=True)
class ContractSpec:
    plan: PlanItem
    start: date
    end: date
    promo_price_cents: int | None = None
    promo_end: date | None = None


@dataclass(frozen=True, slots=True)
class AddOnSpec:
    add_on: AddOnItem
    start: date  # always the first of a month
    end: date | None = None  # always the last of a month


@dataclass(frozen=True, slots=True)
class ExtraLine:
    """A line added as is to one month's invoice (a credit, or a billing error)."""

    kind: LineKind
    description: str
    amount_cents: int
    add_on: AddOnItem | None = None
    error_rule: str | None = None  # a seeded billing error: the review rule that must find it


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """What a payer knows when deciding how to pay an invoice."""

    issue_date: date
    due_date: date
    total_cents: int
    is_latest: bool


@dataclass(frozen=True, slots=True)
class PaymentSpec:
    paid_on: date
    amount_cents: int
    method: PaymentMethod


Payer = Callable[[InvoiceFacts], list[PaymentSpec]]


@dataclass(frozen=True, slots=True)
class CreditSpec:
    on: date
    amount_cents: int
    reason: str


@dataclass(frozen=True, slots=True)
class DiscountSpec:
    """A retention discount the customer accepted (recorded in `account_discounts`)."""

    start: date  # the first of a month
    percent: int
    months: int
    monthly_amount_cents: int
    reason: str


@dataclass(frozen=True, slots=True)
class SeededError:
    """A billing error put on purpose into one month's invoice (see `seed/errors.py`)."""

    rule: str  # the review rule that must find it
    extra_cents: int = 0  # how much too much, for a price above the contracted one


@dataclass
class CustomerSpec:
    account_number: str
    first_name: str
    last_name: str
    date_of_birth: date
    postcode: str
    email: str
    phone: str
    first_period: date  # first billed month (its first day)
    contracts: list[ContractSpec]
    payer: Payer
    add_ons: list[AddOnSpec] = field(default_factory=list)
    usage_gb: dict[date, int] = field(default_factory=dict)  # month -> GB used
    fees: dict[date, list[Fee]] = field(default_factory=dict)  # month -> one-time fees
    extra_lines: dict[date, list[ExtraLine]] = field(default_factory=dict)
    credits: list[CreditSpec] = field(default_factory=list)
    discounts: list[DiscountSpec] = field(default_factory=list)
    seeded_errors: dict[date, SeededError] = field(default_factory=dict)  # month -> error
