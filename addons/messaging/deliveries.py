"""What the messaging channels remember for a while: deliveries already handled, and the long
button payloads a platform cannot carry itself.

Platforms deliver again when they think a delivery failed (a slow answer, a timeout): the same
Telegram `update_id`, WhatsApp or Messenger message id, Slack `event_id`. `claim(key)` is true for
the first delivery only, so each is handled once. With `LOCK_STORE_URL` set (the Redis that Rasa's
lock store uses, addons/lock_store.py) the memory is shared by every Rasa process; otherwise it is
this process's, bounded in size.

When Redis cannot be reached, a delivery is handled (answering twice beats never answering) and
the failure is logged.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

DELIVERY_TTL_S: Final = 24 * 3600  # platforms stop retrying well within a day
PAYLOAD_TTL_S: Final = 30 * 24 * 3600  # a button may be tapped long after it was sent
MEMORY_ENTRIES: Final = 100_000
_PREFIX: Final = "messaging:"
DEFAULT_REDIS_DB: Final = 1  # the lock store's database (addons/lock_store.py)


class ChannelMemory(Protocol):
    async def claim(self, key: str, ttl_s: int = DELIVERY_TTL_S) -> bool:
        """True the first time `key` is claimed within `ttl_s`."""

    async def put(self, key: str, value: str, ttl_s: int = PAYLOAD_TTL_S) -> None: ...

    async def get(self, key: str) -> str | None: ...


class InMemoryChannelMemory:
    """One process's memory: at most `max_entries`, the oldest forgotten first."""

    def __init__(self, max_entries: int = MEMORY_ENTRIES) -> None:
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._max_entries = max_entries

    def _live(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            del self._entries[key]
            return None
        return entry[1]

    def _set(self, key: str, value: str, ttl_s: int) -> None:
        self._entries[key] = (time.monotonic() + ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def claim(self, key: str, ttl_s: int = DELIVERY_TTL_S) -> bool:
        if self._live(key) is not None:
            return False
        self._set(key, "1", ttl_s)
        return True

    async def put(self, key: str, value: str, ttl_s: int = PAYLOAD_TTL_S) -> None:
        self._set(key, value, ttl_s)

    async def get(self, key: str) -> str | None:
        return self._live(key)


class RedisChannelMemory:
    """Shared by every process that uses the same Redis (SET NX EX is atomic)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._client: Redis | None = None

    def _redis(self) -> Redis:
        if self._client is None:  # created in the event loop that uses it
            from redis.asyncio import Redis

            db = None if _has_db(self._url) else DEFAULT_REDIS_DB
            self._client = Redis.from_url(self._url, socket_timeout=2, **({"db": db} if db else {}))
        return self._client

    async def claim(self, key: str, ttl_s: int = DELIVERY_TTL_S) -> bool:
        try:
            return bool(await self._redis().set(_PREFIX + key, "1", nx=True, ex=ttl_s))
        except Exception as error:  # Redis down: handle rather than drop
            logger.warning("messaging.memory_unavailable", extra={"error": type(error).__name__})
            return True

    async def put(self, key: str, value: str, ttl_s: int = PAYLOAD_TTL_S) -> None:
        try:
            await self._redis().set(_PREFIX + key, value, ex=ttl_s)
        except Exception as error:
            logger.warning("messaging.memory_unavailable", extra={"error": type(error).__name__})

    async def get(self, key: str) -> str | None:
        try:
            value = await self._redis().get(_PREFIX + key)
        except Exception as error:
            logger.warning("messaging.memory_unavailable", extra={"error": type(error).__name__})
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else value


def _has_db(url: str) -> bool:
    path = url.split("://", 1)[-1].split("?", 1)[0]
    return "/" in path and path.rsplit("/", 1)[1].isdigit()


def memory_from_env(env: Mapping[str, str] | None = None) -> ChannelMemory:
    """Redis when LOCK_STORE_URL names one (as Rasa's lock store), this process's memory else."""
    url = (env if env is not None else os.environ).get("LOCK_STORE_URL", "").strip()
    if url.startswith(("redis://", "rediss://")):
        return RedisChannelMemory(url)
    return InMemoryChannelMemory()
