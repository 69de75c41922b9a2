"""Reads of a verified account: summary, balance, invoices with explained lines, payments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from bot.billing.explanations import ExplanationContext, explain_line, name_of
from bot.billing.ledger import AccountPosition, InvoiceDue, PaymentStatus, position
from bot.billing.models import AccountAddOn, Adjustment, Contract, Invoice, InvoiceLine, Payment
from bot.billing.schemas import (
    AccountOut,
    AddOnOut,
    BalanceOut,
    ContractOut,
    InvoiceBrief,
    InvoiceDetail,
    InvoiceLineOut,
    InvoiceList,
    InvoiceSummary,
    LastPayment,
    PaymentList,
    PaymentOut,
    PlanOut,
)
from bot.core.dates import add_months
from bot.core.errors import NotFound
from bot.core.money import format_amount, format_quantity
from bot.core.texts import Texts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.billing.models import Account


def account_position(session: Session, account: Account, today: date) -> AccountPosition:
    """Balance, overdue amount, next due date and each invoice's standing on `today`."""
    return _position(session, account, _invoice_dues(session, account), today)


def _invoice_dues(session: Session, account: Account) -> list[InvoiceDue]:
    rows = session.execute(
        select(Invoice.id, Invoice.issue_date, Invoice.due_date, Invoice.total_cents).where(
            Invoice.account_id == account.id
        )
    ).all()
    return [InvoiceDue(row[0], row[1], row[2], row[3]) for row in rows]


def _position(
    session: Session, account: Account, invoices: list[InvoiceDue], today: date
) -> AccountPosition:
    """The position from the account's invoices; payments and credits summed in one query."""
    paid = select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.account_id == account.id
    )
    credited = select(func.coalesce(func.sum(Adjustment.amount_cents), 0)).where(
        Adjustment.account_id == account.id
    )
    sums = session.execute(select(paid.scalar_subquery(), credited.scalar_subquery())).one()
    return position(invoices, int(sums[0] or 0), int(sums[1] or 0), today)


def _current_contract(session: Session, account: Account, today: date) -> Contract | None:
    return session.scalar(
        select(Contract)
        .options(joinedload(Contract.plan))
        .where(Contract.account_id == account.id, Contract.start_date <= today)
        .order_by(Contract.start_date.desc(), Contract.id.desc())
        .limit(1)
    )


def _active_add_ons(session: Session, account: Account, today: date) -> list[AddOnOut]:
    items = session.scalars(
        select(AccountAddOn)
        .options(joinedload(AccountAddOn.add_on))
        .where(
            AccountAddOn.account_id == account.id,
            AccountAddOn.start_date <= today,
            (AccountAddOn.end_date.is_(None)) | (AccountAddOn.end_date >= today),
        )
        .order_by(AccountAddOn.start_date, AccountAddOn.id)
    ).all()
    return [
        AddOnOut(
            name=item.add_on.name, monthly_price=format_amount(item.add_on.monthly_price_cents)
        )
        for item in items
    ]


def _contract_out(contract: Contract, today: date) -> ContractOut:
    """`promo_price` only while the promotion runs; `promo_end_date` stays to say when it ended."""
    promo = contract.promo_price_cents
    if contract.promo_end_date is None or contract.promo_end_date < today:
        promo = None
    return ContractOut(
        start_date=contract.start_date,
        end_date=contract.end_date,
        promo_price=None if promo is None else format_amount(promo),
        promo_end_date=contract.promo_end_date,
        early_termination_fee=format_amount(contract.early_termination_fee_cents),
    )


def account_summary(session: Session, account: Account, today: date) -> AccountOut:
    """Who, which plan and contract (the latest one started by `today`), which add-ons."""
    contract = _current_contract(session, account, today)
    plan = None
    if contract is not None:
        price = format_amount(contract.plan.monthly_price_cents)
        plan = PlanOut(name=contract.plan.name, monthly_price=price, currency=account.currency)
    return AccountOut(
        account_number=account.account_number,
        first_name=account.customer.first_name,
        last_name=account.customer.last_name,
        plan=plan,
        contract=None if contract is None else _contract_out(contract, today),
        add_ons=_active_add_ons(session, account, today),
    )


def _status(place: AccountPosition, invoice_id: int) -> str:
    standing = place.standings.get(invoice_id)
    return str(standing.status if standing else PaymentStatus.OPEN)


def balance(session: Session, account: Account, today: date) -> BalanceOut:
    """The position, the last payment and the latest invoice: invoices read once, for both."""
    invoices = session.execute(
        select(
            Invoice.id,
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.total_cents,
            Invoice.number,
            Invoice.period_start,
        ).where(Invoice.account_id == account.id)
    ).all()
    dues = [InvoiceDue(row.id, row.issue_date, row.due_date, row.total_cents) for row in invoices]
    place = _position(session, account, dues, today)
    last = session.execute(  # two columns, no Payment object to build
        select(Payment.paid_on, Payment.amount_cents)
        .where(Payment.account_id == account.id)
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
        .limit(1)
    ).first()
    latest = max(invoices, key=lambda row: (row.period_start, row.id), default=None)
    return BalanceOut(
        balance=format_amount(place.balance_cents),
        currency=account.currency,
        overdue=format_amount(place.overdue_cents),
        next_due_date=place.next_due_date,
        last_payment=None
        if last is None
        else LastPayment(date=last.paid_on, amount=format_amount(last.amount_cents)),
        latest_invoice=None
        if latest is None
        else InvoiceBrief(
            number=latest.number,
            total=format_amount(latest.total_cents),
            due_date=latest.due_date,
            status=_status(place, latest.id),
        ),
    )


def list_invoices(
    session: Session, account: Account, today: date, limit: int, month: date | None
) -> InvoiceList:
    """Newest first; `month` (its first day) keeps the invoices whose period starts in it."""
    query = select(Invoice).where(Invoice.account_id == account.id)
    if month is not None:
        query = query.where(
            Invoice.period_start >= month, Invoice.period_start < add_months(month, 1)
        )
    invoices = session.scalars(
        query.order_by(Invoice.period_start.desc(), Invoice.id.desc()).limit(limit)
    ).all()
    if month is not None and not invoices:
        raise NotFound(f"no invoice for {month:%Y-%m}")
    place = account_position(session, account, today)
    return InvoiceList(
        invoices=[
            InvoiceSummary(
                number=invoice.number,
                period_start=invoice.period_start,
                period_end=invoice.period_end,
                issue_date=invoice.issue_date,
                due_date=invoice.due_date,
                total=format_amount(invoice.total_cents),
                currency=invoice.currency,
                status=_status(place, invoice.id),
            )
            for invoice in invoices
        ]
    )


def load_invoice(session: Session, account: Account, number: str | None) -> Invoice:
    """The account's invoice `number` (None: the latest) with its lines and what they refer to."""
    query = (
        select(Invoice)
        .options(
            selectinload(Invoice.lines).options(
                joinedload(InvoiceLine.contract).joinedload(Contract.plan),
                joinedload(InvoiceLine.add_on),
                joinedload(InvoiceLine.related_invoice),
            )
        )
        .where(Invoice.account_id == account.id)
    )
    if number is not None:
        query = query.where(Invoice.number == number)
    order = (Invoice.period_start.desc(), Invoice.id.desc())
    invoice = session.scalar(query.order_by(*order).limit(1))
    if invoice is None:
        raise NotFound("no such invoice for this account" if number else "no invoice yet")
    return invoice


def _line_out(line: InvoiceLine, ctx: ExplanationContext) -> InvoiceLineOut:
    return InvoiceLineOut(
        id=line.id,
        kind=str(line.kind),
        description=name_of(line, ctx),
        quantity=format_quantity(line.quantity),
        unit_price=format_amount(line.unit_price_cents),
        amount=format_amount(line.amount_cents),
        explanation=explain_line(line, ctx),
    )


def paid_invoice_ids(place: AccountPosition) -> frozenset[int]:
    """The invoices fully paid (by payments and credits, oldest first)."""
    return frozenset(i for i, s in place.standings.items() if s.status == PaymentStatus.PAID)


def invoice_detail(
    session: Session, account: Account, today: date, number: str | None, texts: Texts | None = None
) -> InvoiceDetail:
    """One invoice with its lines explained (in English unless `texts` says otherwise);
    `number=None` means the latest one."""
    invoice = load_invoice(session, account, number)
    place = account_position(session, account, today)
    ctx = ExplanationContext(
        invoice.tax_rate,
        invoice.currency,
        paid_invoice_ids=paid_invoice_ids(place),
        texts=texts or Texts(),
    )
    return InvoiceDetail(
        number=invoice.number,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        status=_status(place, invoice.id),
        currency=invoice.currency,
        subtotal=format_amount(invoice.subtotal_cents),
        tax=format_amount(invoice.tax_cents),
        total=format_amount(invoice.total_cents),
        lines=[_line_out(line, ctx) for line in invoice.lines],
    )


def list_payments(session: Session, account: Account, limit: int) -> PaymentList:
    payments = session.scalars(
        select(Payment)
        .options(joinedload(Payment.invoice))
        .where(Payment.account_id == account.id)
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
        .limit(limit)
    ).all()
    return PaymentList(
        payments=[
            PaymentOut(
                date=payment.paid_on,
                amount=format_amount(payment.amount_cents),
                currency=account.currency,
                method=str(payment.method),
                invoice_number=payment.invoice.number if payment.invoice else None,
            )
            for payment in payments
        ]
    )
