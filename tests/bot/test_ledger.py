from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.billing.ledger import InvoiceDue, PaymentStatus, allocate, position

TODAY = date(2026, 11, 15)


def _invoice(invoice_id: int, issue: date, total: int) -> InvoiceDue:
    # Due at the end of the issue month, like the seeded invoices.
    due = (issue.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return InvoiceDue(invoice_id, issue, due, total)


SEP = _invoice(1, date(2026, 9, 1), 3000)  # due 30 September: past
OCT = _invoice(2, date(2026, 10, 1), 4000)  # due 31 October: past
NOV = _invoice(3, date(2026, 11, 1), 5000)  # due 30 November: not yet


def test_everything_paid() -> None:
    place = position([SEP, OCT, NOV], 12000, 0, TODAY)
    assert place.balance_cents == 0
    assert place.overdue_cents == 0
    assert place.next_due_date is None
    assert {s.status for s in place.standings.values()} == {PaymentStatus.PAID}


def test_payments_are_allocated_oldest_first() -> None:
    place = position([NOV, OCT, SEP], 5000, 0, TODAY)  # order of input does not matter
    assert place.balance_cents == 7000
    assert place.standings[1].status is PaymentStatus.PAID
    assert place.standings[2].status is PaymentStatus.OVERDUE  # 2000 of 4000 paid, past due
    assert place.standings[2].outstanding_cents == 2000
    assert place.standings[3].status is PaymentStatus.OPEN
    assert place.overdue_cents == 2000
    assert place.next_due_date == date(2026, 10, 31)


def test_partly_paid_invoice_not_yet_due() -> None:
    place = position([SEP, OCT, NOV], 7000 + 1000, 0, TODAY)
    assert place.standings[3].status is PaymentStatus.PARTIALLY_PAID
    assert place.overdue_cents == 0
    assert place.next_due_date == date(2026, 11, 30)
    assert place.balance_cents == 4000


def test_credits_count_like_payments_and_can_leave_the_customer_in_credit() -> None:
    place = position([SEP, OCT, NOV], 12000, 500, TODAY)
    assert place.balance_cents == -500
    assert place.next_due_date is None
    assert place.overdue_cents == 0


def test_due_today_is_not_overdue() -> None:
    place = position([SEP], 0, 0, date(2026, 9, 30))
    assert place.standings[1].status is PaymentStatus.OPEN
    assert position([SEP], 0, 0, date(2026, 10, 1)).standings[1].status is PaymentStatus.OVERDUE


invoices_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 100_000)), min_size=0, max_size=12
).map(
    lambda items: [
        _invoice(index, date(2024, 1, 1) + timedelta(days=31 * offset), total)
        for index, (offset, total) in enumerate(items)
    ]
)


@given(invoices_strategy, st.integers(0, 2_000_000), st.integers(0, 5_000))
def test_balance_identity(invoices: list[InvoiceDue], paid: int, credits: int) -> None:
    place = position(invoices, paid, credits, TODAY)
    total = sum(invoice.total_cents for invoice in invoices)
    outstanding = sum(s.outstanding_cents for s in place.standings.values())
    assert place.balance_cents == total - paid - credits
    assert outstanding == max(0, place.balance_cents)
    assert 0 <= place.overdue_cents <= outstanding
    assert (place.next_due_date is None) == (outstanding == 0)


@given(invoices_strategy, st.integers(0, 2_000_000))
def test_allocation_never_skips_an_older_invoice(invoices: list[InvoiceDue], paid: int) -> None:
    standings = allocate(invoices, paid, TODAY)
    unpaid_seen = False
    for standing in standings:
        if unpaid_seen:
            assert standing.outstanding_cents == standing.total_cents
        unpaid_seen = unpaid_seen or standing.outstanding_cents > 0
