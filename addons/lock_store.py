"""Rasa's lock store chosen by an environment variable: in-memory by default, Redis by URL.

`endpoints.yml` names this class; `LOCK_STORE_URL` decides what it is:

- unset or empty: Rasa's `InMemoryLockStore` (one Rasa process, as `make run` starts it);
- `redis://[[user]:password@]host[:port][/db]`: Rasa's `RedisLockStore` (port 6379, db 1 unless
  given), which several Sanic workers or Rasa replicas need so one conversation is handled by one
  process at a time.

Rasa's `${VAR}` substitution in endpoints.yml has no default value, which is why the choice is
made here. Rasa allows `SANIC_WORKERS` > 1 with any custom lock store, so this class refuses
to start several workers on the in-memory one (each worker would lock only its own conversations).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

DEFAULT_REDIS_PORT = 6379
DEFAULT_REDIS_DB = 1  # Rasa's default for its Redis lock store


class LockStoreConfigurationError(Exception):
    """LOCK_STORE_URL is not usable, or several workers would share an in-memory lock store."""


def store_from_env(env: Mapping[str, str]) -> LockStore:
    """The lock store LOCK_STORE_URL names (in-memory when unset); may raise."""
    url = env.get("LOCK_STORE_URL", "").strip()
    if not url:
        if _workers(env) > 1:
            raise LockStoreConfigurationError(
                "SANIC_WORKERS > 1 needs a shared lock store: set LOCK_STORE_URL=redis://host:port/db"
            )
        return InMemoryLockStore()
    parts = urlsplit(url)
    if parts.scheme != "redis" or not parts.hostname:
        # The URL may hold a password: name the variable, not the value.
        raise LockStoreConfigurationError("LOCK_STORE_URL must look like redis://host:port/db")
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise LockStoreConfigurationError("LOCK_STORE_URL's database must be a number")
    return RedisLockStore(
        host=parts.hostname,
        port=parts.port or DEFAULT_REDIS_PORT,
        db=int(db) if db else DEFAULT_REDIS_DB,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def _workers(env: Mapping[str, str]) -> int:
    try:
        return int(env.get("SANIC_WORKERS", "1"))
    except ValueError:
        return 1  # Rasa itself falls back to one worker then


class EnvLockStore(LockStore):
    """Delegates to the store `store_from_env` picks; the ticket logic is LockStore's own."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        self.store = store_from_env(os.environ)
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)
