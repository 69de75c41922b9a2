"""Desk logins: sessions in a cookie, CSRF tokens, sliding idle expiry and login throttling.

    throttle = LoginThrottle.from_settings(settings)              # bot.desk.login_throttle
    login = log_in(session, throttle, "maria", "secret", "198.51.100.7", now, minutes=480)
    response.set_cookie(SESSION_COOKIE, login.token, ...)         # only sha256(token) is stored
    current = current_session(session, login.token, now, minutes=480)   # slides the expiry
    log_out(session, current, now)                                # ends it; the agent goes off duty

* The cookie's token is 32 random bytes; the table keeps its sha256 (`token_hash`), so a copy of
  the database cannot log anyone in. Each session has its own CSRF token (`csrf_token`), given
  to the page by /desk/api/me and required in `X-CSRF-Token` on every desk write.
* Idle expiry slides: every desk request moves `expires_at` to now + DESK_SESSION_MINUTES
  (an open event stream marks the agent as seen but does not keep the session alive).
* Logging in puts the agent on duty; logging out takes them off duty.
* Logins are throttled per username (5 in 15 minutes) and per client address (20), through
  the database so every back-end process sees the same counts (bot.desk.login_throttle); a
  throttled login gets the same message as a wrong password (no hint either way).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import select

from bot.core.errors import CsrfRejected, NotLoggedIn
from bot.desk.agents import authenticate, mark_seen
from bot.desk.models import AgentSession

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.desk.login_throttle import LoginThrottle

logger = logging.getLogger(__name__)

SESSION_COOKIE: Final = "desk_session"
CSRF_COOKIE: Final = "desk_csrf"
COOKIE_PATH: Final = "/desk"
CSRF_HEADER: Final = "X-CSRF-Token"
WRONG_CREDENTIALS: Final = "Wrong username or password"


class LoginRefused(NotLoggedIn):
    """Wrong username or password, or too many wrong passwords lately (same message)."""


def new_token() -> str:
    """A random URL-safe token (32 bytes) for a session cookie or a CSRF token."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time equality of two tokens; a missing one never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def require_csrf(expected: str | None, given: str | None) -> None:
    if not same_token(expected, given):
        raise CsrfRejected("missing or wrong CSRF token")


@dataclass(frozen=True, slots=True)
class Login:
    """A new session; `token` goes into the cookie and is not kept anywhere else."""

    token: str
    agent_session: AgentSession


def log_in(
    session: Session,
    throttle: LoginThrottle,
    username: str,
    password: str,
    address: str,
    now: datetime,
    minutes: int,
) -> Login:
    """Check the password, start a session and put the agent on duty; LoginRefused else
    (also when `username` or the client `address` has too many recent failures)."""
    attempt = throttle.begin(session, username, address, now)
    if attempt is None:
        raise LoginRefused(WRONG_CREDENTIALS)
    agent = authenticate(session, username, password)  # same cost for an unknown username
    if agent is None:
        logger.info("desk.login_failed")
        raise LoginRefused(WRONG_CREDENTIALS)
    throttle.succeeded(session, attempt)
    token = new_token()
    agent_session = AgentSession(
        agent_id=agent.id,
        token_hash=token_hash(token),
        csrf_token=new_token(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(minutes=minutes),
        ended_at=None,
    )
    agent.on_duty, agent.last_seen_at = True, now
    session.add(agent_session)
    session.commit()
    logger.info("desk.login", extra={"action": "desk.login", "agent_id": agent.id})
    return Login(token=token, agent_session=agent_session)


def find_session(session: Session, token: str | None, now: datetime) -> AgentSession | None:
    """The live session of the cookie's token (not ended, not expired), or None."""
    if not token:
        return None
    found = session.scalar(select(AgentSession).where(AgentSession.token_hash == token_hash(token)))
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    return found


def current_session(
    session: Session, token: str | None, now: datetime, minutes: int
) -> AgentSession:
    """The live session (NotLoggedIn else); slides its expiry and marks the agent as seen."""
    found = find_session(session, token, now)
    if found is None:
        raise NotLoggedIn("not logged in (or the session has ended)")
    touch(session, found, now, minutes)
    return found


def touch(session: Session, agent_session: AgentSession, now: datetime, minutes: int) -> None:
    """Slide the idle expiry and record that the agent was seen now (for 'on duty')."""
    agent_session.last_seen_at = now
    agent_session.expires_at = now + timedelta(minutes=minutes)
    agent_session.agent.last_seen_at = now
    session.commit()


def still_live(session: Session, session_id: int, now: datetime) -> bool:
    """For an open stream: is the session still live? If so the agent counts as seen now (an
    open stream does not slide the idle expiry: only the agent's own requests do)."""
    found = session.get(AgentSession, session_id, populate_existing=True)
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return False
    mark_seen(session, found.agent, now)
    return True


def log_out(session: Session, agent_session: AgentSession, now: datetime) -> None:
    """End the session and take the agent off duty."""
    agent_session.ended_at = now
    agent_session.agent.on_duty = False
    session.commit()
    logger.info("desk.logout", extra={"action": "desk.logout"})
