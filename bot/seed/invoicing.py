"""Bills a customer spec month by month and lets the spec's payer pay each bill.

An invoice covers one calendar month, is issued on the 1st of the next month and is due on the
last day of that month; its total is the exact sum of its lines (see `lines`). An invoice not
fully paid by its due date earns a late fee on the next invoice. Payments dated after `as_of`
have not happened yet and are left out.

Seeded billing errors (`spec.seeded_errors`, see `seed/errors.py`) are written like any line and
recorded in `seeded_billing_errors`. A wrong late fee goes on the first invoice from its month
on whose previous invoice was paid on time (no wrong fee when there is none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.billing.models import Invoice, InvoiceLine, Payment
from bot.billing.types import InvoiceState, LineKind
from bot.review.models import SeededBillingError
from bot.seed.catalog import VAT_RATE
from bot.seed.lines import LATE_FEE_PAID_ON_TIME, LateInvoice, Line, month_lines
from bot.seed.memo import add_months, month_end
from bot.seed.onboarding import OpenAccount, open_account
from bot.seed.spec import InvoiceFacts

if TYPE_CHECKING:
    from datetime import date

    from bot.seed.rows import Rows
    from bot.seed.spec import CustomerSpec


def bill_customer(spec: CustomerSpec, latest_period: date, as_of: date, rows: Rows) -> None:
    """Add all of a customer's rows, billing every month up to `latest_period`."""
    account = open_account(spec, as_of, rows)
    late: LateInvoice | None = None
    previous: LateInvoice | None = None
    wrong_fee_due = False
    month = spec.first_period
    while month <= latest_period:
        error = spec.seeded_errors.get(month)
        wrong_fee_due = wrong_fee_due or (error is not None and error.rule == LATE_FEE_PAID_ON_TIME)
        wrong_fee = previous if wrong_fee_due and late is None else None
        wrong_fee_due = wrong_fee_due and wrong_fee is None
        late, previous = _bill_month(
            account, month, late, wrong_fee, is_latest=month == latest_period
        )
        month = add_months(month, 1)


def _add_lines(account: OpenAccount, invoice_id: int, lines: list[Line]) -> None:
    for position, line in enumerate(lines, start=1):
        unit_price = line.amount_cents if line.unit_price_cents is None else line.unit_price_cents
        line_id = account.rows.add(
            InvoiceLine,
            invoice_id=invoice_id,
            position=position,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit_price_cents=unit_price,
            amount_cents=line.amount_cents,
            period_start=line.period[0] if line.period else None,
            period_end=line.period[1] if line.period else None,
            contract_id=line.contract_id,
            add_on_id=line.add_on_id,
            related_invoice_id=line.related_invoice_id,
        )
        if line.error_rule is not None:
            account.rows.add(
                SeededBillingError,
                account_id=account.account_id,
                invoice_id=invoice_id,
                line_id=line_id,
                rule=line.error_rule,
            )


def _add_invoice(
    account: OpenAccount, start: date, lines: list[Line], *, is_latest: bool
) -> tuple[LateInvoice, InvoiceFacts]:
    """Add the invoice and its lines; returns its id and number, and what a payer knows."""
    issue = add_months(start, 1)
    number = invoice_number(account.spec.account_number, issue)
    tax = sum(line.amount_cents for line in lines if line.kind is LineKind.TAX)
    total = sum(line.amount_cents for line in lines)
    facts = InvoiceFacts(issue, month_end(issue), total, is_latest)
    invoice_id = account.rows.add(
        Invoice,
        account_id=account.account_id,
        number=number,
        period_start=start,
        period_end=month_end(start),
        issue_date=issue,
        due_date=facts.due_date,
        status=InvoiceState.ISSUED,
        currency="EUR",
        tax_rate=VAT_RATE,
        subtotal_cents=total - tax,
        tax_cents=tax,
        total_cents=total,
    )
    _add_lines(account, invoice_id, lines)
    return LateInvoice(invoice_id, number), facts


def invoice_number(account_number: str, issue_date: date) -> str:
    return f"INV-{account_number}-{issue_date.year:04d}{issue_date.month:02d}"


def _bill_month(
    account: OpenAccount,
    start: date,
    late: LateInvoice | None,
    wrong_fee: LateInvoice | None,
    *,
    is_latest: bool,
) -> tuple[LateInvoice | None, LateInvoice]:
    """Bill one month; returns this invoice if it was not paid in full by its due date (else
    None), and this invoice."""
    lines = month_lines(account, start, late, wrong_fee)
    this, facts = _add_invoice(account, start, lines, is_latest=is_latest)
    invoice_id = this.invoice_id
    paid_by_due = 0
    for payment in account.spec.payer(facts):
        if payment.paid_on > account.as_of:
            continue
        account.rows.add(
            Payment,
            account_id=account.account_id,
            invoice_id=invoice_id,
            paid_on=payment.paid_on,
            amount_cents=payment.amount_cents,
            method=payment.method,
        )
        if payment.paid_on <= facts.due_date:
            paid_by_due += payment.amount_cents
    return (None if paid_by_due >= facts.total_cents else this), this
