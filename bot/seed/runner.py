"""`bot seed`: generate the rows in batches of customers and write each batch as it comes.

Idempotent: when the database already holds billing data nothing happens unless `reset=True`,
which empties every table first. The same options always give the same rows and ids. The desk's
demo agents (maria, tomaz, sara) are added when missing, also to a database seeded before.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, text

from bot.billing.models import AddOn, Customer, Invoice, InvoiceLine, Plan
from bot.commerce.policy import HoldoutPolicy
from bot.desk.agents import ensure_demo_agents
from bot.seed.batch import FIRST_GENERATED_ACCOUNT, add_generated, latest_period
from bot.seed.catalog import ADD_ONS, PLANS
from bot.seed.copytext import encode, local_counts
from bot.seed.demo import demo_specs
from bot.seed.invoicing import bill_customer
from bot.seed.parallel import Batches, copy_batches, worker_count
from bot.seed.rows import Rows, table_of
from bot.seed.writer import (
    copy_text,
    foreign_keys_suspended,
    indexes_suspended,
    move_sequences,
    refresh_statistics,
    write_batch,
)
from bot.tables import metadata

if TYPE_CHECKING:
    from collections.abc import Generator
    from datetime import date

    from sqlalchemy import Connection, Table
    from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)
__all__ = ["FIRST_GENERATED_ACCOUNT", "SeedResult", "generate", "latest_period", "seed"]
MAX_CUSTOMERS = 899_995 - len(PLANS)  # account numbers stay six digits
BATCH_CUSTOMERS = 1_000  # generated customers per batch: about 100,000 rows
HOLDOUT_SHARE = HoldoutPolicy().share  # the policy's default; `bot seed` passes the file's


@dataclass(frozen=True, slots=True)
class SeedResult:
    created: bool
    customers: int
    invoices: int
    lines: int
    seconds: float


def generate(
    customers: int,
    as_of: date,
    batch_customers: int = BATCH_CUSTOMERS,
    holdout_share: float = HOLDOUT_SHARE,
) -> Generator[Rows]:
    """Every row of the data set, in batches: catalog, the four demo customers, then `customers`
    generated ones, `batch_customers` generated customers per batch (ids go on across batches).

    Only one batch lives at a time, so memory does not grow with `customers`."""
    _check(customers, batch_customers)
    rows = head_rows(as_of)
    for first in range(0, customers, batch_customers):
        if first:
            yield rows
            rows = rows.next_batch()
        add_generated(rows, first, min(batch_customers, customers - first), as_of, holdout_share)
    yield rows


def head_rows(as_of: date) -> Rows:
    """The rows before the generated customers: the catalog and the four demo customers."""
    rows = Rows()
    for plan in PLANS:
        rows.add(
            Plan,
            id=plan.id,
            code=plan.code,
            name=plan.name,
            kind=plan.kind,
            monthly_price_cents=plan.price_cents,
            data_allowance_gb=plan.allowance_gb,
            speed_mbps=plan.speed_mbps,
            overage_unit="GB" if plan.overage_cents else None,
            overage_unit_price_cents=plan.overage_cents,
        )
    for add_on in ADD_ONS:
        rows.add(
            AddOn,
            id=add_on.id,
            code=add_on.code,
            name=add_on.name,
            monthly_price_cents=add_on.price_cents,
        )
    latest = latest_period(as_of)
    for spec in demo_specs(latest):
        bill_customer(spec, latest, as_of, rows)
    return rows


def _check(customers: int, batch_customers: int) -> None:
    if not 0 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 0 and {MAX_CUSTOMERS}")
    if batch_customers < 1:
        raise ValueError("batch_customers must be at least 1")


def has_data(connection: Connection) -> bool:
    return bool(connection.scalar(select(func.count()).select_from(Plan)))


def wipe(connection: Connection) -> None:
    """Empty every table (verification, audit, idempotency and the other write tables too)."""
    tables = list(reversed(metadata.sorted_tables))
    if connection.dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in tables:
        connection.execute(table.delete())


def seed(
    engine: Engine,
    customers: int,
    as_of: date,
    *,
    reset: bool = False,
    batch_customers: int = BATCH_CUSTOMERS,
    holdout_share: float = HOLDOUT_SHARE,
    workers: int | None = None,
) -> SeedResult:
    """Load the data set unless data is already there (or `reset`); one transaction, written
    batch by batch as it is generated. On PostgreSQL `workers` processes (default one per CPU)
    generate the batches while this one writes them with COPY; elsewhere it is all serial."""
    started = time.perf_counter()
    _check(customers, batch_customers)
    with engine.begin() as connection:
        agents_from = datetime(as_of.year, as_of.month, as_of.day, 8, tzinfo=UTC)
        if has_data(connection):
            if not reset:
                ensure_demo_agents(connection, agents_from)
                logger.info("seed.skipped")
                return SeedResult(False, 0, 0, 0, time.perf_counter() - started)
            wipe(connection)
        with foreign_keys_suspended(connection), indexes_suspended(connection):
            if connection.dialect.name == "postgresql":
                batches = Batches(customers, batch_customers, as_of, holdout_share)
                loaded = _load_in_parallel(connection, batches, workers or worker_count())
            else:
                loaded = _load(connection, customers, as_of, batch_customers, holdout_share)
            _log_phase("loaded", started)
        _log_phase("indexes_and_keys_restored", started)
        move_sequences(connection, loaded.last_ids)
        refresh_statistics(connection, list(loaded.written))
        ensure_demo_agents(connection, agents_from)
        _log_phase("analyzed", started)
    result = SeedResult(
        created=True,
        customers=loaded.written[table_of(Customer)],
        invoices=loaded.written[table_of(Invoice)],
        lines=loaded.written[table_of(InvoiceLine)],
        seconds=time.perf_counter() - started,
    )
    logger.info(
        "seed.done", extra={"customers": result.customers, "seconds": round(result.seconds, 2)}
    )
    return result


def _log_phase(phase: str, started: float) -> None:
    seconds = round(time.perf_counter() - started, 2)
    logger.info("seed.phase", extra={"phase": phase, "seconds": seconds})


@dataclass
class _Loaded:
    """Rows written per table and the highest id written per table."""

    written: Counter[Table] = field(default_factory=Counter)
    last_ids: dict[Table, int] = field(default_factory=dict)


def _load(
    connection: Connection, customers: int, as_of: date, batch_customers: int, holdout_share: float
) -> _Loaded:
    loaded = _Loaded()
    for rows in generate(customers, as_of, batch_customers, holdout_share):
        write_batch(connection, rows)
        for table, batch in rows.by_table.items():
            loaded.written[table] += len(batch)
            loaded.last_ids[table] = rows.last_id(table)
    return loaded


def _load_in_parallel(connection: Connection, batches: Batches, workers: int) -> _Loaded:
    """PostgreSQL: the catalog and demo customers from here, then the generated customers as
    the workers encode them (see `parallel`), each table's text by COPY."""
    loaded = _Loaded()
    head = head_rows(batches.as_of)
    generated = copy_batches(batches, local_counts(head), workers)
    for batch in itertools.chain([encode(head, {})], generated):
        for table_text in batch:
            copy_text(connection, table_text)
            table = metadata.tables[table_text.table]
            loaded.written[table] += table_text.rows
            loaded.last_ids[table] = table_text.last_id
    return loaded
