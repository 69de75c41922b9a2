"""An account's history as the discount policy sees it (`AccountHistory`), read from the tables.

* tenure: whole months since the account was opened;
* on-time ratio: of the invoices whose due date has passed, the share paid in full by it (by
  payments made against that invoice);
* late payments: invoices due in the last 12 months that were not paid in full by their due date;
* complaints: disputes opened, plus conversations with a price complaint, in the last 12 months;
* price increases: invoices of the last 12 months whose full-month plan charge after discounts
  is higher than the invoice before;
* discounts: retention discounts (`account_discounts`) starting in the last 12 months or later;
* contract end and monthly list price: of the current contract (the latest started by today).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time
from itertools import pairwise
from typing import TYPE_CHECKING

from sqlalchemy import distinct, func, select

from bot.billing.models import Contract, Invoice, InvoiceLine, Payment
from bot.billing.types import LineKind
from bot.commerce.churn import AccountHistory
from bot.commerce.models import AccountDiscount, Offer
from bot.commerce.types import Trigger
from bot.core.dates import add_months, months_between
from bot.disputes.models import Dispute

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session

    from bot.billing.models import Account


def current_contract(session: Session, account: Account, today: date) -> Contract | None:
    """The latest contract started by `today` (the one the account summary shows)."""
    return session.scalar(
        select(Contract)
        .where(Contract.account_id == account.id, Contract.start_date <= today)
        .order_by(Contract.start_date.desc(), Contract.id.desc())
        .limit(1)
    )


def tenure_months(opened_on: date, today: date) -> int:
    months = months_between(opened_on, today) - (1 if today.day < opened_on.day else 0)
    return max(0, months)


def _payment_record(session: Session, account: Account, today: date) -> tuple[int, int, int]:
    """(invoices due, of them paid on time, of the last 12 months' due ones paid late)."""
    paid_by_due = (
        select(Payment.invoice_id, func.sum(Payment.amount_cents).label("paid"))
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.account_id == account.id, Payment.paid_on <= Invoice.due_date)
        .group_by(Payment.invoice_id)
        .subquery()
    )
    rows = session.execute(
        select(Invoice.due_date, Invoice.total_cents, func.coalesce(paid_by_due.c.paid, 0))
        .outerjoin(paid_by_due, paid_by_due.c.invoice_id == Invoice.id)
        .where(Invoice.account_id == account.id, Invoice.due_date < today)
    ).all()
    year_ago = add_months(today, -12)
    on_time = [paid >= total for _, total, paid in rows]
    late_recent = sum(1 for (due, total, paid) in rows if due >= year_ago and paid < total)
    return len(rows), sum(on_time), late_recent


def _price_increases(session: Session, account: Account, today: date) -> int:
    """Invoices of the last 12 months whose full-month plan charge net of discounts went up."""
    since = add_months(today, -13)  # one more month: the first invoice in the window needs one
    rows = session.execute(
        select(Invoice.id, Invoice.period_start, InvoiceLine.kind, InvoiceLine.amount_cents)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .where(
            Invoice.account_id == account.id,
            Invoice.period_start >= since,
            (InvoiceLine.kind == LineKind.DISCOUNT)
            | ((InvoiceLine.kind == LineKind.PLAN_CHARGE) & (InvoiceLine.quantity == 1)),
        )
    ).all()
    net: dict[date, int] = defaultdict(int)
    has_plan: set[date] = set()
    for _, period, kind, amount in rows:
        net[period] += amount
        if kind is LineKind.PLAN_CHARGE:
            has_plan.add(period)
    periods = sorted(has_plan)
    window = add_months(today, -12)
    return sum(
        1
        for before, after in pairwise(periods)
        if after >= window and net[after] > net[before] and months_between(before, after) == 1
    )


def _complaints(session: Session, account: Account, today: date) -> int:
    since = add_months(today, -12)
    price_complaints = session.scalar(
        select(func.count(distinct(Offer.conversation_id))).where(
            Offer.account_id == account.id,
            Offer.trigger == Trigger.PRICE_COMPLAINT,
            Offer.created_at >= datetime.combine(since, time(), UTC),
        )
    )
    return int(price_complaints or 0) + _disputes(session, account, since)


def _disputes(session: Session, account: Account, since: date) -> int:
    """Disputes opened since `since`, whatever became of them."""
    count = session.scalar(
        select(func.count())
        .select_from(Dispute)
        .where(
            Dispute.account_id == account.id,
            Dispute.created_at >= datetime.combine(since, time(), UTC),
        )
    )
    return int(count or 0)


def _discounts(session: Session, account: Account, today: date) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(AccountDiscount)
        .where(
            AccountDiscount.account_id == account.id,
            AccountDiscount.start_date >= add_months(today, -12),
        )
    )
    return int(count or 0)


def account_history(session: Session, account: Account, today: date) -> AccountHistory:
    """Everything the policy and the churn score need, on `today`."""
    contract = current_contract(session, account, today)
    due, on_time, late = _payment_record(session, account, today)
    return AccountHistory(
        tenure_months=tenure_months(account.opened_on, today),
        invoices_due=due,
        invoices_paid_on_time=on_time,
        late_payments_12m=late,
        complaints_12m=_complaints(session, account, today),
        price_increases_12m=_price_increases(session, account, today),
        discounts_12m=_discounts(session, account, today),
        contract_end=None if contract is None else contract.end_date,
        monthly_price_cents=0 if contract is None else contract.plan.monthly_price_cents,
    )
