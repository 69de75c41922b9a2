"""Writes seed rows: COPY text on PostgreSQL (see `copytext`), executemany elsewhere.

Tables go in dependency order, so a batch only refers to rows of its own or earlier batches. On
PostgreSQL the foreign keys of the seeded tables are dropped for the load and added back after it
(one check per constraint instead of one per row; PostgreSQL's "Populating a Database" advice),
all in the seed's transaction, so no one ever sees the tables without them.
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


def refresh_statistics(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL: ANALYZE the loaded tables, so the first queries after a seed get plans for
    millions of rows (autovacuum would only get there some minutes later)."""
    if connection.dialect.name != "postgresql" or not tables:
        return
    names = ", ".join(f'"{table.name}"' for table in tables)
    connection.execute(text(f"ANALYZE {names}"))
