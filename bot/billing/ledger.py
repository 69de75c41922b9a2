"""Who owes what: payments and credits allocated to invoices oldest first.

Pure functions over cents and dates, so the rules are tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date


class PaymentStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class InvoiceDue:
    """What the ledger needs to know about one invoice."""

    invoice_id: int
    issue_date: date
    due_date: date
    total_cents: int


@dataclass(frozen=True, slots=True)
class Standing:
    """An invoice after allocation: how much of it is still owed and its derived status."""

    invoice_id: int
    due_date: date
    total_cents: int
    outstanding_cents: int
    status: PaymentStatus


@dataclass(frozen=True, slots=True)
class AccountPosition:
    balance_cents: int
    overdue_cents: int
    next_due_date: date | None
    standings: dict[int, Standing]


def _status(total: int, outstanding: int, due_date: date, today: date) -> PaymentStatus:
    if outstanding <= 0:
        return PaymentStatus.PAID
    if due_date < today:
        return PaymentStatus.OVERDUE
    if outstanding < total:
        return PaymentStatus.PARTIALLY_PAID
    return PaymentStatus.OPEN


def allocate(invoices: Sequence[InvoiceDue], paid_cents: int, today: date) -> list[Standing]:
    """Spread `paid_cents` (payments plus credits) over the invoices, oldest first.

    An invoice whose due date has passed and that is not fully covered is `overdue`, even when
    partly paid; otherwise a partly covered one is `partially_paid`.
    """
    remaining = paid_cents
    standings: list[Standing] = []
    for invoice in sorted(invoices, key=lambda item: (item.issue_date, item.invoice_id)):
        covered = max(0, min(remaining, invoice.total_cents))
        remaining -= covered
        outstanding = invoice.total_cents - covered
        status = _status(invoice.total_cents, outstanding, invoice.due_date, today)
        standings.append(
            Standing(invoice.invoice_id, invoice.due_date, invoice.total_cents, outstanding, status)
        )
    return standings


def position(
    invoices: Sequence[InvoiceDue], payments_cents: int, credits_cents: int, today: date
) -> AccountPosition:
    """Balance, overdue amount and next due date of an account on `today`.

    balance = invoice totals - payments - credits (negative when the customer is in credit);
    overdue = the unpaid part of invoices due before `today`;
    next_due_date = due date of the oldest invoice not fully paid, or None.
    """
    standings = allocate(invoices, payments_cents + credits_cents, today)
    total = sum(invoice.total_cents for invoice in invoices)
    unpaid = [standing for standing in standings if standing.outstanding_cents > 0]
    return AccountPosition(
        balance_cents=total - payments_cents - credits_cents,
        overdue_cents=sum(s.outstanding_cents for s in unpaid if s.due_date < today),
        next_due_date=unpaid[0].due_date if unpaid else None,
        standings={standing.invoice_id: standing for standing in standings},
    )
