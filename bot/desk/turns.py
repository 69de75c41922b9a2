"""Turns between back-end processes for a periodic job, through Redis: one process per round.

    turns = RedisTurns(settings.desk_redis_url, "queue-updater")
    if await turns.mine(every_seconds):   # the first process to claim this round runs it
        ...

With several back ends each runs the desk's queue updater; without turns every waiting customer
would be told their place once per process. A round's claim is a Redis key set with NX that
expires a little before the next round, so a process that dies hands the job on within one
round. While Redis is unreachable every process takes its turn (a repeated queue line is better
than none).
"""

from __future__ import annotations

import logging
import uuid
from typing import Final

from redis import asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEY_PREFIX: Final = "billing:turn:"
ROUND_SHARE: Final = 0.8  # a claim lasts this share of a round


class RedisTurns:
    def __init__(self, url: str, job: str) -> None:
        self._client = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._key = KEY_PREFIX + job
        self._origin = uuid.uuid4().hex

    async def mine(self, every_seconds: float) -> bool:
        """Whether this process runs the job this round."""
        lasts_ms = max(1, int(every_seconds * 1000 * ROUND_SHARE))
        try:
            return bool(await self._client.set(self._key, self._origin, nx=True, px=lasts_ms))
        except (RedisError, OSError) as error:
            logger.warning("turns.redis_unavailable", extra={"error": type(error).__name__})
            return True

    async def aclose(self) -> None:
        await self._client.aclose()
