from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import event, text

from bot.db import create_db_engine


def test_a_sqlite_file_is_shared_safely_between_processes(tmp_path: Path) -> None:
    """Write-ahead logging (readers never wait for a writer), a busy timeout, foreign keys."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'nested' / 'billing.db'}")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "busy_timeout", "foreign_keys")
            }
    finally:
        engine.dispose()
    assert pragma == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1}
    assert (tmp_path / "nested" / "billing.db").exists()


def test_a_reader_sees_the_last_commit_while_another_connection_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'billing.db'}"
    writer, reader = create_db_engine(url), create_db_engine(url)
    try:
        with writer.begin() as connection:
            connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            connection.execute(text("INSERT INTO notes (body) VALUES ('committed')"))
        with writer.connect() as writing:
            writing.execute(text("BEGIN EXCLUSIVE"))  # would block readers without WAL
            writing.execute(text("INSERT INTO notes (body) VALUES ('not yet')"))
            with reader.connect() as reading:
                bodies = reading.execute(text("SELECT body FROM notes")).scalars().all()
            writing.execute(text("COMMIT"))
    finally:
        writer.dispose()
        reader.dispose()
    assert bodies == ["committed"]


def test_a_postgresql_pool_keeps_as_many_connections_as_requests_at_once() -> None:
    """16 requests at once, twice: the pool opens 16 connections and keeps them, instead of
    closing each one beyond 5 and opening it again for the next requests (a server process
    each time)."""
    url = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    engine = create_db_engine(url, pool_size=16, max_overflow=4)
    opened: list[object] = []
    event.listen(engine, "connect", lambda connection, _record: opened.append(connection))
    try:
        for _ in range(2):
            with ExitStack() as stack:
                for _ in range(16):
                    stack.enter_context(engine.connect()).execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert len(opened) == 16
