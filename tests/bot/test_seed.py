"""`bot seed`: invariants of the generated bills, determinism, idempotence, streaming, speed."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, func, inspect, select

from bot.billing.models import Account, Contact, Customer, Invoice, InvoiceLine, Payment
from bot.core.base import Base
from bot.core.money import percent_of
from bot.review.models import SeededBillingError
from bot.seed.rows import table_of
from bot.seed.runner import MAX_CUSTOMERS, generate, seed
from tests.bot.conftest import AS_OF, TEST_CUSTOMERS

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tests.bot.conftest import FullSeed


def _fingerprint(engine: Engine) -> str:
    """A hash of every row of every table, in id order."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table).order_by(table.c.id)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def check_invoice_invariants(connection: Connection) -> int:
    """Every invoice: total == sum of its lines exactly, tax line == 22 % of the net lines."""
    line_sum = (
        select(InvoiceLine.invoice_id, func.sum(InvoiceLine.amount_cents).label("amount"))
        .group_by(InvoiceLine.invoice_id)
        .subquery()
    )
    mismatched = connection.scalar(
        select(func.count())
        .select_from(Invoice)
        .join(line_sum, line_sum.c.invoice_id == Invoice.id)
        .where(
            (line_sum.c.amount != Invoice.total_cents)
            | (Invoice.subtotal_cents + Invoice.tax_cents != Invoice.total_cents)
        )
    )
    assert mismatched == 0
    invoices = connection.execute(
        select(Invoice.id, Invoice.subtotal_cents, Invoice.tax_cents)
    ).all()
    taxes = dict(
        connection.execute(
            select(InvoiceLine.invoice_id, InvoiceLine.amount_cents).where(
                InvoiceLine.kind == "tax"
            )
        ).all()
    )
    for invoice_id, subtotal, tax in invoices:
        assert taxes[invoice_id] == tax == percent_of(subtotal, Decimal("0.22"))
    return len(invoices)


def check_late_fees(connection: Connection) -> None:
    """A late fee is on the next invoice exactly when the previous one was not paid when due
    (leaving out the wrong late fees `bot seed` puts in on purpose)."""
    invoices = connection.execute(
        select(Invoice.id, Invoice.account_id, Invoice.due_date, Invoice.total_cents).order_by(
            Invoice.account_id, Invoice.period_start
        )
    ).all()
    paid_by_due = dict(
        connection.execute(
            select(Payment.invoice_id, func.sum(Payment.amount_cents))
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .where(Payment.paid_on <= Invoice.due_date)
            .group_by(Payment.invoice_id)
        ).all()
    )
    seeded_errors = select(SeededBillingError.line_id)
    fees = {
        row.related_invoice_id: row.invoice_id
        for row in connection.execute(
            select(InvoiceLine.invoice_id, InvoiceLine.related_invoice_id).where(
                InvoiceLine.kind == "late_fee", InvoiceLine.id.not_in(seeded_errors)
            )
        )
    }
    for earlier, later in pairwise(invoices):
        if earlier.account_id != later.account_id:
            continue
        late = paid_by_due.get(earlier.id, 0) < earlier.total_cents
        assert (fees.get(earlier.id) == later.id) == late, earlier


def test_seeded_invoices_add_up(seeded_engine: Engine) -> None:
    with seeded_engine.connect() as connection:
        assert check_invoice_invariants(connection) > TEST_CUSTOMERS * 12
        check_late_fees(connection)
        assert connection.scalar(select(func.count()).select_from(Customer)) == TEST_CUSTOMERS + 4


def test_accounts_contacts_and_numbers(seeded_engine: Engine) -> None:
    with seeded_engine.connect() as connection:
        numbers = connection.scalars(select(Account.account_number).order_by(Account.id)).all()
        assert numbers == [str(n) for n in range(100001, 100005 + TEST_CUSTOMERS)]
        contacts = connection.execute(
            select(Contact.customer_id, Contact.kind, Contact.value)
        ).all()
        assert len(contacts) == 2 * (TEST_CUSTOMERS + 4)
        emails = [value for _, kind, value in contacts if kind == "email"]
        assert all(email.endswith("@example.com") and email.isascii() for email in emails)
        assert "ana.novak@example.com" in emails
        latest = connection.scalars(select(func.max(Invoice.period_start))).one()
        assert latest == date(2026, 10, 1)
        counts = dict(
            connection.execute(
                select(Account.account_number, func.count())
                .join(Invoice, Invoice.account_id == Account.id)
                .group_by(Account.account_number)
            ).all()
        )
        demo = {number: counts.pop(number) for number in ("100001", "100002", "100003", "100004")}
        assert demo == {"100001": 13, "100002": 18, "100003": 36, "100004": 8}
        assert all(12 <= count <= 24 for count in counts.values())  # generated customers


def test_seed_is_deterministic_and_idempotent(empty_engine: Engine) -> None:
    first = seed(empty_engine, 10, AS_OF)
    assert first.created
    assert first.customers == 14
    fingerprint = _fingerprint(empty_engine)

    again = seed(empty_engine, 10, AS_OF)
    assert not again.created
    assert _fingerprint(empty_engine) == fingerprint

    reset = seed(empty_engine, 10, AS_OF, reset=True)
    assert (reset.created, reset.invoices, reset.lines) == (True, first.invoices, first.lines)
    assert _fingerprint(empty_engine) == fingerprint

    seed(empty_engine, 10, date(2026, 12, 15), reset=True)
    assert _fingerprint(empty_engine) != fingerprint


def test_small_seed_is_a_prefix_of_a_bigger_one(empty_engine: Engine) -> None:
    seed(empty_engine, 3, AS_OF)
    with empty_engine.connect() as connection:
        small = connection.execute(
            select(Invoice.number, Invoice.total_cents).order_by(Invoice.id)
        ).all()
    seed(empty_engine, 8, AS_OF, reset=True)
    with empty_engine.connect() as connection:
        big = connection.execute(
            select(Invoice.number, Invoice.total_cents).order_by(Invoice.id)
        ).all()
    assert big[: len(small)] == small
    assert len(big) > len(small)


def _foreign_keys(engine: Engine) -> list[tuple[str, str | None]]:
    inspector = inspect(engine)
    return sorted(
        (table, key["name"])
        for table in inspector.get_table_names()
        for key in inspector.get_foreign_keys(table)
    )


def test_batches_change_nothing_in_the_data(empty_engine: Engine) -> None:
    """Written 3 customers at a time (ids go on across batches; on PostgreSQL by COPY, with the
    foreign keys dropped for the load and checked when added back) the data is the same, it
    adds up, and every foreign key is there again."""
    keys = _foreign_keys(empty_engine)
    whole = seed(empty_engine, 10, AS_OF, batch_customers=1000)
    fingerprint = _fingerprint(empty_engine)
    batched = seed(empty_engine, 10, AS_OF, reset=True, batch_customers=3)
    assert (batched.customers, batched.invoices, batched.lines) == (
        whole.customers,
        whole.invoices,
        whole.lines,
    )
    assert _fingerprint(empty_engine) == fingerprint
    assert _foreign_keys(empty_engine) == keys
    with empty_engine.connect() as connection:
        assert check_invoice_invariants(connection) == batched.invoices
        check_late_fees(connection)
    with empty_engine.begin() as connection:  # ids go on after the seeded ones
        next_id = connection.execute(
            table_of(Customer)
            .insert()
            .values(first_name="A", last_name="B", date_of_birth=date(1990, 1, 1), postcode="1000")
        ).inserted_primary_key
        assert next_id is not None
        assert next_id[0] == batched.customers + 1
        connection.rollback()


def test_generation_is_streamed_in_bounded_batches() -> None:
    """Only one batch exists at a time: its size follows `batch_customers`, not `customers`."""
    customers = table_of(Customer)
    batches = generate(MAX_CUSTOMERS, AS_OF, batch_customers=50)
    sizes = [len(next(batches).by_table[customers]) for _ in range(3)]
    assert sizes == [54, 50, 50]  # the four demo customers come first

    small = [len(rows.by_table[customers]) for rows in generate(23, AS_OF, batch_customers=10)]
    assert small == [14, 10, 3]
    with pytest.raises(ValueError, match="batch_customers"):
        next(generate(5, AS_OF, batch_customers=0))


@pytest.mark.slow
def test_full_default_seed_on_sqlite(full_seed: FullSeed) -> None:
    engine, result = full_seed.engine, full_seed.result
    assert result.customers == 2004
    assert full_seed.seconds < 30, f"seeding 2000 customers took {full_seed.seconds:.1f} s"
    with engine.connect() as connection:
        assert check_invoice_invariants(connection) == result.invoices
        check_late_fees(connection)
        kinds = set(connection.scalars(select(InvoiceLine.kind).distinct()))
        assert kinds == {
            "plan_charge",
            "add_on",
            "usage_overage",
            "one_time_fee",
            "late_fee",
            "proration",
            "tax",
            "discount",
            "credit",
        }
