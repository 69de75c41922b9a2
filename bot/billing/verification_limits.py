"""How identity checks are serialised and limited beyond one account, and the burst alert.

Every check first locks one guard row per account number, conversation and client address
(in that order, so two checks never wait on each other in a cycle). PostgreSQL: the row is
upserted, then `SELECT ... FOR UPDATE` holds it until commit, so a second check of the same
account waits and then reads the first one's attempt (READ COMMITTED). SQLite has no row locks:
the check takes the database's write lock up front (`BEGIN IMMEDIATE`); other writers wait
(busy timeout) until it commits. Counting and recording happen under the lock.

Failures are limited per conversation and per client address across accounts with the same
rule as per account (`lockout.lock_state`); only checked failures count, never refused ones, and
a success does not reset them (verifying one's own account must not reopen guessing others).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from sqlalchemy import distinct, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.billing.lockout import LockState, lock_state
from bot.billing.models import VerificationAttempt, VerificationGuard

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, timedelta

    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

Scope = Literal["account", "conversation", "client"]


def guard(session: Session, keys: Sequence[tuple[Scope, str]]) -> None:
    """Hold the guard rows of `keys` (PostgreSQL) or the write lock (SQLite) until commit."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        dbapi = connection.connection.dbapi_connection
        if dbapi is not None and not getattr(dbapi, "in_transaction", True):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # Already in a transaction: pysqlite opens one only at a write, so the lock is held.
        for scope, key in keys:
            session.execute(
                sqlite_insert(VerificationGuard)
                .values(scope=scope, key=key)
                .on_conflict_do_nothing(index_elements=["scope", "key"])
            )
        return
    for scope, key in keys:
        session.execute(
            postgresql_insert(VerificationGuard)
            .values(scope=scope, key=key)
            .on_conflict_do_nothing(index_elements=["scope", "key"])
        )
        session.execute(
            select(VerificationGuard.id)
            .where(VerificationGuard.scope == scope, VerificationGuard.key == key)
            .with_for_update()
        )


def throttle_state(
    session: Session,
    column: Literal["conversation_id", "client_key"],
    value: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> LockState:
    """The lock state of one conversation or client address over its checked failures."""
    attribute = getattr(VerificationAttempt, column)
    failures = session.scalars(
        select(VerificationAttempt.created_at).where(
            attribute == value,
            VerificationAttempt.created_at > now - 2 * window,
            VerificationAttempt.succeeded.is_(False),
            VerificationAttempt.while_locked.is_(False),
        )
    ).all()
    return lock_state(failures, now, max_failures, window)


def alert_on_burst(
    session: Session,
    account_number: str,
    now: datetime,
    window: timedelta,
    min_failures: int,
    min_accounts: int,
) -> None:
    """Log `verification_failure_burst` (counts only) when checked failures across accounts in
    `window` reach both thresholds: when they first do, then at every further `min_failures`."""
    checked_failures = (
        VerificationAttempt.created_at > now - window,
        VerificationAttempt.succeeded.is_(False),
        VerificationAttempt.while_locked.is_(False),
    )
    failures, accounts = session.execute(
        select(func.count(), func.count(distinct(VerificationAttempt.account_number))).where(
            *checked_failures
        )
    ).one()
    if failures < min_failures or accounts < min_accounts:
        return
    this_account = session.scalar(
        select(func.count()).where(
            *checked_failures, VerificationAttempt.account_number == account_number
        )
    )
    accounts_before = accounts - (1 if this_account == 1 else 0)
    was_burst = failures - 1 >= min_failures and accounts_before >= min_accounts
    if was_burst and failures % min_failures:
        return
    logger.warning(
        "verification_failure_burst",
        extra={
            "failures": failures,
            "accounts": accounts,
            "window_minutes": int(window.total_seconds() // 60),
            "failure_threshold": min_failures,
            "account_threshold": min_accounts,
        },
    )
