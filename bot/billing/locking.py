"""Serialising a check-then-write on one account, so two concurrent requests cannot both pass.

    lock_account(session, account.id)   # first, then read the sums, check, insert, commit

PostgreSQL: `SELECT ... FOR UPDATE` on the account's row; a second transaction waits at the
same statement until the first commits, then (READ COMMITTED) reads what the first wrote.
SQLite has no row locks: the transaction takes the database's write lock up front
(`BEGIN IMMEDIATE`), so other writers wait (busy timeout) until it commits, and its reads
after the lock see every committed write. The lock lasts until the session commits or rolls back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from bot.billing.models import Account

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def lock_account(session: Session, account_id: int) -> None:
    """Hold the account (PostgreSQL: its row; SQLite: the write lock) until commit/rollback."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
        return
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not getattr(dbapi, "in_transaction", True):
        # pysqlite opens a transaction only at the first write: nothing read so far is held.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    # Already in a transaction (it wrote, so it holds the write lock, or the driver began it):
    # a no-op write takes the lock if it was not held yet.
    session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(id=Account.id)
        .execution_options(synchronize_session=False)
    )
