"""Agents of the desk: password hashing, authentication, duty, and the demo agents of `bot seed`.

Passwords are hashed with the standard library's scrypt and a random 16-byte salt; the stored
string records its parameters, so they can be raised later without breaking old hashes:

    scrypt$n=16384,r=8,p=1$<salt, base64>$<hash, base64>

`verify_password` compares in constant time, and for an unknown user (`stored=None`) checks
against a dummy hash, so a wrong username costs as much as a wrong password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from sqlalchemy import insert, select

from bot.core.errors import InvalidRequest
from bot.desk.models import Agent
from bot.desk.types import AgentRole

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HASH_BYTES, SALT_BYTES = 32, 16
MIN_PASSWORD_LENGTH: Final = 8
_MAX_N: Final = 2**20  # refuse absurd parameters in a stored hash (memory)
_FORMAT = re.compile(
    r"scrypt\$n=(?P<n>\d+),r=(?P<r>\d+),p=(?P<p>\d+)\$(?P<salt>[A-Za-z0-9+/=]+)\$(?P<hash>[A-Za-z0-9+/=]+)"
)
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * n * r + 2**20
    )


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of `password` (a random salt unless one is given, e.g. for demo data)."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    encode = base64.b64encode
    return (
        f"scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}"
        f"${encode(salt).decode()}${encode(digest).decode()}"
    )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not a password anyone has", salt=b"\x00" * SALT_BYTES)


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; None (unknown user) costs the same and is False."""
    match = _FORMAT.fullmatch(stored or _dummy_hash())
    if match is None:
        return False
    n, r, p = int(match["n"]), int(match["r"]), int(match["p"])
    if not (1 < n <= _MAX_N and 0 < r <= 32 and 0 < p <= 16):
        return False
    expected = base64.b64decode(match["hash"])
    given = _scrypt(password, base64.b64decode(match["salt"]), n, r, p, len(expected))
    return hmac.compare_digest(given, expected) and stored is not None


def normalize_username(username: str) -> str:
    return username.strip().lower()


def find_agent(session: Session, username: str) -> Agent | None:
    return session.scalar(select(Agent).where(Agent.username == normalize_username(username)))


def authenticate(session: Session, username: str, password: str) -> Agent | None:
    """The agent if the username and password match; None otherwise (same cost either way)."""
    agent = find_agent(session, username)
    ok = verify_password(password, agent.password_hash if agent else None)
    return agent if ok and agent is not None else None


def create_agent(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str,
    role: AgentRole,
    now: datetime,
) -> Agent:
    """A new agent (off duty); InvalidRequest for a bad or taken username or a short password."""
    name = normalize_username(username)
    if not _USERNAME.fullmatch(name):
        raise InvalidRequest("usernames are 2-64 letters, digits, dots, dashes or underscores")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequest(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if find_agent(session, name) is not None:
        raise InvalidRequest("that username is taken")
    agent = Agent(
        username=name,
        display_name=display_name.strip()[:80],
        role=role,
        password_hash=hash_password(password),
        on_duty=False,
        last_seen_at=None,
        created_at=now,
    )
    session.add(agent)
    session.commit()
    logger.info("agent.created", extra={"rows": 1})
    return agent


def set_on_duty(session: Session, agent: Agent, on_duty: bool, now: datetime) -> Agent:
    """Put the agent on or off duty (and mark them seen); committed."""
    agent.on_duty = on_duty
    agent.last_seen_at = now
    session.commit()
    return agent


def mark_seen(session: Session, agent: Agent, now: datetime) -> None:
    """Any desk request or open stream: the agent is still there; committed."""
    agent.last_seen_at = now
    session.commit()


@dataclass(frozen=True, slots=True)
class DemoAgent:
    username: str
    password: str
    display_name: str
    role: AgentRole


DEMO_AGENTS: Final = (
    DemoAgent("maria", "maria-demo", "Maria Novak", AgentRole.AGENT),
    DemoAgent("tomaz", "tomaz-demo", "Tomaž Kralj", AgentRole.AGENT),
    DemoAgent("sara", "sara-demo", "Sara Horvat", AgentRole.SUPERVISOR),
)


def _demo_salt(username: str) -> bytes:
    """A fixed salt per demo agent, so `bot seed` always writes the same rows (the demo
    passwords are published in the README; real agents get random salts)."""
    return hashlib.sha256(f"demo-agent:{username}".encode()).digest()[:SALT_BYTES]


def ensure_demo_agents(connection: Connection, now: datetime) -> int:
    """Insert the demo agents that are missing (idempotent); returns how many were added."""
    existing = set(connection.scalars(select(Agent.username)))
    rows = [
        {
            "username": demo.username,
            "display_name": demo.display_name,
            "role": demo.role,
            "password_hash": hash_password(demo.password, salt=_demo_salt(demo.username)),
            "on_duty": False,
            "last_seen_at": None,
            "created_at": now,
        }
        for demo in DEMO_AGENTS
        if demo.username not in existing
    ]
    if rows:
        connection.execute(insert(Agent), rows)
    return len(rows)
