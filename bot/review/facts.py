"""What the review rules look at, loaded for many accounts at once (one query per table).

Rules are pure functions of `AccountFacts`, so they run the same way for one account asking
through the API and for the whole seeded population in the evaluation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bot.billing.models import AccountAddOn, AddOn, Contract, Invoice, InvoiceLine, Payment, Plan

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from decimal import Decimal

    from sqlalchemy.orm import Session

    from bot.billing.types import LineKind


@dataclass(frozen=True, slots=True)
class FactLine:
    id: int
    invoice_id: int
    kind: LineKind
    description: str
    amount_cents: int
    quantity: Decimal
    unit_price_cents: int
    period_start: date | None
    period_end: date | None
    contract_id: int | None
    add_on_id: int | None
    related_invoice_id: int | None


@dataclass(frozen=True, slots=True)
class FactInvoice:
    id: int
    number: str
    period_start: date
    period_end: date
    due_date: date
    total_cents: int
    tax_rate: Decimal
    lines: tuple[FactLine, ...]

    @property
    def net_cents(self) -> int:
        """The sum of the lines VAT is computed on (every line but the VAT line)."""
        return sum(line.amount_cents for line in self.lines if line.kind != "tax")


@dataclass(frozen=True, slots=True)
class FactContract:
    id: int
    plan_name: str
    price_cents: int
    overage_unit_price_cents: int | None
    start: date
    end: date | None
    promo_price_cents: int | None
    promo_end: date | None
    cancelled_on: date | None


@dataclass(frozen=True, slots=True)
class FactSubscription:
    """An add-on the account had from `start` to `end` (None: still has it)."""

    add_on_id: int
    name: str
    price_cents: int
    start: date
    end: date | None


@dataclass
class AccountFacts:
    account_id: int
    invoices: list[FactInvoice] = field(default_factory=list)  # oldest first
    contracts: dict[int, FactContract] = field(default_factory=dict)
    subscriptions: list[FactSubscription] = field(default_factory=list)
    add_on_prices: dict[int, tuple[str, int]] = field(default_factory=dict)  # id: name, cents
    paid_by_due: dict[int, int] = field(default_factory=dict)  # invoice id: paid by due date

    def invoice(self, invoice_id: int) -> FactInvoice | None:
        return next((i for i in self.invoices if i.id == invoice_id), None)


_LINE_COLUMNS = (
    InvoiceLine.id,
    InvoiceLine.invoice_id,
    InvoiceLine.kind,
    InvoiceLine.description,
    InvoiceLine.amount_cents,
    InvoiceLine.quantity,
    InvoiceLine.unit_price_cents,
    InvoiceLine.period_start,
    InvoiceLine.period_end,
    InvoiceLine.contract_id,
    InvoiceLine.add_on_id,
    InvoiceLine.related_invoice_id,
)
_INVOICE_COLUMNS = (
    Invoice.account_id,
    Invoice.id,
    Invoice.number,
    Invoice.period_start,
    Invoice.period_end,
    Invoice.due_date,
    Invoice.total_cents,
    Invoice.tax_rate,
)


def _lines(session: Session, account_ids: Sequence[int]) -> dict[int, list[FactLine]]:
    by_invoice: dict[int, list[FactLine]] = defaultdict(list)
    rows = session.connection().execute(
        select(*_LINE_COLUMNS)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.account_id.in_(account_ids))
        .order_by(InvoiceLine.invoice_id, InvoiceLine.position, InvoiceLine.id)
    )
    for r in rows:
        by_invoice[r.invoice_id].append(
            FactLine(
                r.id, r.invoice_id, r.kind, r.description, r.amount_cents, r.quantity,
                r.unit_price_cents, r.period_start, r.period_end, r.contract_id, r.add_on_id,
                r.related_invoice_id,
            )
        )  # fmt: skip
    return by_invoice


def _invoices(session: Session, facts: dict[int, AccountFacts], ids: Sequence[int]) -> None:
    lines = _lines(session, ids)
    rows = session.connection().execute(
        select(*_INVOICE_COLUMNS)
        .where(Invoice.account_id.in_(ids))
        .order_by(Invoice.account_id, Invoice.period_start, Invoice.id)
    )
    for account_id, invoice_id, number, start, end, due, total, rate in rows:
        facts[account_id].invoices.append(
            FactInvoice(
                invoice_id, number, start, end, due, total, rate, tuple(lines.get(invoice_id, ()))
            )
        )
    paid = session.execute(
        select(Payment.account_id, Payment.invoice_id, func.sum(Payment.amount_cents))
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.account_id.in_(ids), Payment.paid_on <= Invoice.due_date)
        .group_by(Payment.account_id, Payment.invoice_id)
    ).all()
    for account_id, paid_invoice_id, cents in paid:
        if paid_invoice_id is not None:
            facts[account_id].paid_by_due[paid_invoice_id] = int(cents or 0)


def _contracts(session: Session, facts: dict[int, AccountFacts], ids: Sequence[int]) -> None:
    for c, plan in session.execute(
        select(Contract, Plan)
        .join(Plan, Plan.id == Contract.plan_id)
        .where(Contract.account_id.in_(ids))
    ).all():
        facts[c.account_id].contracts[c.id] = FactContract(
            c.id, plan.name, plan.monthly_price_cents, plan.overage_unit_price_cents,
            c.start_date, c.end_date, c.promo_price_cents, c.promo_end_date, c.cancelled_on,
        )  # fmt: skip


def _add_ons(session: Session, facts: dict[int, AccountFacts], ids: Sequence[int]) -> None:
    prices = {a.id: (a.name, a.monthly_price_cents) for a in session.scalars(select(AddOn))}
    for item in session.scalars(
        select(AccountAddOn)
        .where(AccountAddOn.account_id.in_(ids))
        .order_by(AccountAddOn.start_date, AccountAddOn.id)
    ):
        name, price = prices[item.add_on_id]
        facts[item.account_id].subscriptions.append(
            FactSubscription(item.add_on_id, name, price, item.start_date, item.end_date)
        )
    for account in facts.values():
        account.add_on_prices = prices


def load_facts(session: Session, account_ids: Sequence[int]) -> dict[int, AccountFacts]:
    """The review facts of each account in `account_ids`."""
    facts = {account_id: AccountFacts(account_id) for account_id in account_ids}
    if account_ids:
        _invoices(session, facts, account_ids)
        _contracts(session, facts, account_ids)
        _add_ons(session, facts, account_ids)
    return facts
