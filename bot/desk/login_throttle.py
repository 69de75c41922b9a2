"""Desk login throttling per username and per client address, shared through the database.

    throttle = LoginThrottle.from_settings(settings)
    attempt = throttle.begin(session, username, address, now)   # None: throttled, refuse
    ...check the password...
    throttle.succeeded(session, attempt)                          # or leave it: it was a failure

Every attempt is first written (`desk_login_failures`, committed) and only then counted, so
several back-end processes, or concurrent requests, cannot check more passwords than allowed:
the k-th attempt to commit sees at least k rows. Within DESK_LOGIN_WINDOW_MINUTES (15) at most
DESK_LOGIN_MAX_FAILURES_PER_USER (5) attempts per username and DESK_LOGIN_MAX_FAILURES_PER_ADDRESS
(20) per client address are checked; an attempt beyond either is refused without checking the
password (and not kept), with the same message as a wrong password. A success removes its
username's failures (not its address's). Usernames and addresses are stored as keyed hashes,
so a password typed into the username field is never kept readable.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from bot.desk.agents import normalize_username
from bot.desk.models import LoginFailure

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    secret: bytes
    max_per_user: int = 5
    max_per_address: int = 20
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(
            secret=settings.code_secret,
            max_per_user=settings.desk_login_max_failures_per_user,
            max_per_address=settings.desk_login_max_failures_per_address,
            window=timedelta(minutes=settings.desk_login_window_minutes),
        )

    def _key(self, kind: str, value: str) -> str:
        return hmac.new(
            self.secret, f"desk-login:{kind}:{value}".encode(), hashlib.sha256
        ).hexdigest()

    def begin(
        self, session: Session, username: str, address: str, now: datetime
    ) -> LoginFailure | None:
        """Record the attempt, then count: the row (a failure until `succeeded`), or None."""
        attempt = LoginFailure(
            username_key=self._key("user", normalize_username(username)),
            address_key=self._key("address", address),
            created_at=now,
        )
        session.execute(delete(LoginFailure).where(LoginFailure.created_at <= now - self.window))
        session.add(attempt)
        session.commit()
        since = now - self.window
        by_user = self._count(session, LoginFailure.username_key == attempt.username_key, since)
        by_address = self._count(session, LoginFailure.address_key == attempt.address_key, since)
        if by_user <= self.max_per_user and by_address <= self.max_per_address:
            return attempt
        session.delete(attempt)  # refused unchecked: it is no failure of its own
        session.commit()
        logger.warning(
            "desk.login_throttled",
            extra={"outcome": "username" if by_user > self.max_per_user else "address"},
        )
        return None

    @staticmethod
    def _count(session: Session, condition: object, since: datetime) -> int:
        total = session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(condition, LoginFailure.created_at > since)  # type: ignore[arg-type]
        )
        return int(total or 0)

    @staticmethod
    def succeeded(session: Session, attempt: LoginFailure) -> None:
        """The password was right: the username's failures are forgotten (in the caller's
        transaction)."""
        session.execute(
            delete(LoginFailure).where(LoginFailure.username_key == attempt.username_key)
        )
