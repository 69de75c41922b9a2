"""`bot seed`: generate the rows in batches of customers and write each batch as it comes.

Idempotent: when the database already holds billing data nothing happens unless `reset=True`,
which empties every table first. The same options always give the same rows and ids. The desk's
demo agents (maria, tomaz, sara) are added when missing, also to a database seeded before.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, text

from bot.billing.models import AddOn, Customer, Invoice, InvoiceLine, Plan
from bot.commerce.policy import HoldoutPolicy
from bot.core.dates import add_months, month_start
from bot.desk.agents import ensure_demo_agents
from bot.seed.catalog import ADD_ONS, PLANS
from bot.seed.demo import demo_specs
from bot.seed.generated import generated_spec
from bot.seed.invoicing import bill_customer
from bot.seed.outcomes import add_outcomes
from bot.seed.rows import Rows, table_of
from bot.seed.writer import (
    foreign_keys_suspended,
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
FIRST_GENERATED_ACCOUNT = 100_005
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


def latest_period(as_of: date) -> date:
    """The period of the latest invoice: the month before `as_of`'s month."""
    return add_months(month_start(as_of), -1)


def generate(
    customers: int,
    as_of: date,
    batch_customers: int = BATCH_CUSTOMERS,
    holdout_share: float = HOLDOUT_SHARE,
) -> Generator[Rows]:
    """Every row of the data set, in batches: catalog, the four demo customers, then `customers`
    generated ones, `batch_customers` generated customers per batch (ids go on across batches).

    Only one batch lives at a time, so memory does not grow with `customers`."""
    if not 0 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 0 and {MAX_CUSTOMERS}")
    if batch_customers < 1:
        raise ValueError("batch_customers must be at least 1")
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
    for index in range(customers):
        if index and index % batch_customers == 0:
            add_outcomes(rows, as_of, holdout_share, FIRST_GENERATED_ACCOUNT)
            yield rows
            rows = rows.next_batch()
        spec = generated_spec(index, str(FIRST_GENERATED_ACCOUNT + index), latest)
        bill_customer(spec, latest, as_of, rows)
    add_outcomes(rows, as_of, holdout_share, FIRST_GENERATED_ACCOUNT)
    yield rows


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
) -> SeedResult:
    """Load the data set unless data is already there (or `reset`); one transaction, written
    batch by batch as it is generated (COPY on PostgreSQL)."""
    started = time.perf_counter()
    written: Counter[Table] = Counter()
    with engine.begin() as connection:
        agents_from = datetime(as_of.year, as_of.month, as_of.day, 8, tzinfo=UTC)
        if has_data(connection):
            if not reset:
                ensure_demo_agents(connection, agents_from)
                logger.info("seed.skipped")
                return SeedResult(False, 0, 0, 0, time.perf_counter() - started)
            wipe(connection)
        last: Rows | None = None
        with foreign_keys_suspended(connection):
            for rows in generate(customers, as_of, batch_customers, holdout_share):
                write_batch(connection, rows)
                written.update({table: len(batch) for table, batch in rows.by_table.items()})
                last = rows
        if last is not None:
            move_sequences(connection, {table: last.last_id(table) for table in written})
        refresh_statistics(connection, list(written))
        ensure_demo_agents(connection, agents_from)
    result = SeedResult(
        created=True,
        customers=written[table_of(Customer)],
        invoices=written[table_of(Invoice)],
        lines=written[table_of(InvoiceLine)],
        seconds=time.perf_counter() - started,
    )
    logger.info(
        "seed.done", extra={"customers": result.customers, "seconds": round(result.seconds, 2)}
    )
    return result
