"""The parallel PostgreSQL seed: worker batches with ids counted from 1, moved into place, give
exactly the serial seed's rows; the COPY text format; a failing worker stops the seed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, inspect

from bot.billing.models import Contact, Customer, Plan
from bot.billing.types import ContactKind, PlanKind
from bot.desk.models import HandoffTicket
from bot.seed import parallel
from bot.seed.copytext import RowsOutsideBatchError, encode, local_counts
from bot.seed.parallel import Batches, SeedWorkerError, copy_batches
from bot.seed.rows import Rows
from bot.seed.runner import generate, head_rows, seed
from tests.bot.conftest import AS_OF

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bot.seed.copytext import TableText


def _by_table(batches: Iterable[list[TableText]]) -> dict[str, bytes]:
    joined: dict[str, bytes] = defaultdict(bytes)
    for batch in batches:
        for text in batch:
            joined[text.table] += text.data
    return dict(joined)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_worker_batches_are_the_serial_rows(workers: int) -> None:
    serial = _by_table(
        encode(rows, {}) for rows in generate(23, AS_OF, batch_customers=4, holdout_share=0.1)
    )
    head = head_rows(AS_OF)
    generated = copy_batches(Batches(23, 4, AS_OF, 0.1), local_counts(head), workers)
    in_parallel = _by_table([encode(head, {}), *generated])
    assert in_parallel == serial
    assert serial["customers"].count(b"\n") == 27
    assert serial["invoices"].count(b"\n") > 23 * 12


def test_copy_text_escapes_values_and_moves_ids() -> None:
    rows = Rows()
    rows.add(
        Plan,
        id=4,
        code="p",
        name="Plan",
        kind=PlanKind.MOBILE,
        monthly_price_cents=990,
        data_allowance_gb=None,
    )
    customer = rows.add(
        Customer,
        first_name="Tab\there",
        last_name="Back\\slash",
        date_of_birth=date(1985, 3, 14),
        postcode="1000",
    )
    rows.add(Contact, customer_id=customer, kind=ContactKind.EMAIL, value="new\nline")
    rows.add(
        HandoffTicket,
        intents=["bill", "talk_to_human"],
        slots={},
        created_at=datetime(2026, 1, 2, 10, 30, tzinfo=UTC),
        churn_risk=Decimal("0.50"),
    )
    texts = {text.table: text for text in encode(rows, {"customers": 10, "contacts": 5})}
    assert texts["plans"].data == b"p\tPlan\tmobile\t990\t\\N\t4\n"
    assert texts["customers"].data == b"Tab\\there\tBack\\\\slash\t1985-03-14\t1000\t11\n"
    assert texts["customers"].last_id == 11
    assert texts["contacts"].data == b"11\temail\tnew\\nline\t6\n"
    assert texts["contacts"].columns == ("customer_id", "kind", "value", "id")
    assert texts["handoff_tickets"].data == (
        b'["bill", "talk_to_human"]\t{}\t2026-01-02T10:30:00+00:00\t0.50\t1\n'
    )


def _schema(engine: Engine) -> list[tuple[str, object]]:
    inspector = inspect(engine)
    return sorted(
        (table, repr(item))
        for table in inspector.get_table_names()
        for item in (
            inspector.get_pk_constraint(table),
            sorted(inspector.get_indexes(table), key=repr),
            sorted(inspector.get_unique_constraints(table), key=repr),
            sorted(inspector.get_foreign_keys(table), key=repr),
        )
    )


def test_the_seed_leaves_every_index_and_constraint_as_it_found_them(empty_engine: Engine) -> None:
    """On PostgreSQL the load drops indexes, keys and constraints and builds them again."""
    before = _schema(empty_engine)
    assert any("pk_invoices" in item for _, item in before)
    assert seed(empty_engine, 12, AS_OF, batch_customers=5).created
    assert _schema(empty_engine) == before


def test_a_key_outside_its_batch_is_refused() -> None:
    rows = Rows()
    rows.add(Customer, first_name="A", last_name="B", date_of_birth=date(1990, 1, 1), postcode="1")
    rows.add(Contact, customer_id=2, kind=ContactKind.EMAIL, value="a@example.com")
    with pytest.raises(RowsOutsideBatchError, match="customers"):
        encode(rows, {})


def test_a_failing_worker_stops_the_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("generation broke")

    monkeypatch.setattr(parallel, "add_generated", broken)  # the forked workers inherit it
    with pytest.raises(SeedWorkerError, match="generation broke"):
        list(copy_batches(Batches(10, 4, AS_OF, 0.1), {}, 2))
