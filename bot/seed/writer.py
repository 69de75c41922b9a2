"""Writes seed rows: COPY text on PostgreSQL (see `copytext`), executemany elsewhere.

Tables go in dependency order, so a batch only refers to rows of its own or earlier batches. On
PostgreSQL the foreign keys of the seeded tables are dropped for the load and added back after it
(one check per constraint instead of one per row; PostgreSQL's "Populating a Database" advice),
and so are the indexes (built again once, sorted, before the keys come back), all in the seed's
transaction, so no one ever sees the tables without them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from psycopg import sql
from sqlalchemy import insert, text

from bot.seed.copytext import encode
from bot.tables import metadata

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

    from bot.seed.copytext import TableText
    from bot.seed.rows import Rows

_INSERT_CHUNK = 5_000


def write_batch(connection: Connection, rows: Rows) -> None:
    """Insert every row of `rows`, table by table (COPY on PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        for table_text in encode(rows, {}):
            copy_text(connection, table_text)
        return
    for table in metadata.sorted_tables:
        batch = rows.by_table.get(table, [])
        for offset in range(0, len(batch), _INSERT_CHUNK):
            connection.execute(insert(table), batch[offset : offset + _INSERT_CHUNK])


def copy_text(connection: Connection, text: TableText) -> None:
    """PostgreSQL: write one table's rows, already in COPY's text format (see `copytext`)."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(text.table), sql.SQL(", ").join(map(sql.Identifier, text.columns))
    )
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        copy.write(text.data)


def move_sequences(connection: Connection, last_ids: dict[Table, int]) -> None:
    """PostgreSQL: make every seeded table's id sequence continue after the seeded ids."""
    if connection.dialect.name != "postgresql":
        return
    for table, last_id in last_ids.items():
        if last_id > 0:
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :value)"),
                {"value": last_id},
            )


@contextmanager
def foreign_keys_suspended(connection: Connection) -> Iterator[None]:
    """PostgreSQL: drop the foreign keys of every table (as the database defines them), load,
    then add them back, which checks every row once; elsewhere nothing."""
    if connection.dialect.name != "postgresql":
        yield
        return
    names = [table.name for table in metadata.sorted_tables]
    keys = connection.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
            " WHERE c.contype = 'f' AND t.relname = ANY(:names)"
            " AND t.relnamespace = current_schema()::regnamespace"
        ),
        {"names": names},
    ).all()
    for table, name, _ in keys:
        connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    yield
    for table, name, definition in keys:
        connection.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


@contextmanager
def indexes_suspended(connection: Connection) -> Iterator[None]:
    """PostgreSQL: drop every index of every table (primary keys and unique constraints too, as
    the database defines them) for the load and build them again after it, in the same
    transaction: one sorted build costs less than inserting millions of rows into each index
    (invoice_lines at 30,000 customers: COPY 11.0 s with its two indexes, 4.5 s without plus
    2.7 s to build them). Used inside `foreign_keys_suspended`, so no foreign key needs them
    meanwhile; elsewhere nothing."""
    if connection.dialect.name != "postgresql":
        yield
        return
    names = {"names": [table.name for table in metadata.sorted_tables]}
    constraints = connection.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
            " WHERE c.contype IN ('p', 'u', 'x') AND t.relname = ANY(:names)"
            " AND t.relnamespace = current_schema()::regnamespace"
        ),
        names,
    ).all()
    indexes = connection.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
            " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
            " WHERE t.relname = ANY(:names) AND t.relnamespace = current_schema()::regnamespace"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            " WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))"
        ),
        names,
    ).all()
    for index, _ in indexes:
        connection.execute(text(f"DROP INDEX {index}"))
    for table, name, _ in constraints:
        connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    yield
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))  # sorts in memory
    for table, name, definition in constraints:
        connection.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    for _, definition in indexes:
        connection.execute(text(definition))


def refresh_statistics(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL: ANALYZE the loaded tables, so the first queries after a seed get plans for
    millions of rows (autovacuum would only get there some minutes later)."""
    if connection.dialect.name != "postgresql" or not tables:
        return
    names = ", ".join(f'"{table.name}"' for table in tables)
    connection.execute(text(f"ANALYZE {names}"))
