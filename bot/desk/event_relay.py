"""The desk's live events shared by several back-end processes through Redis pub/sub.

    relay = RedisEventRelay(settings.desk_redis_url)
    events.attach_relay(relay)                # DeskEvents.publish now also calls relay.send
    async with relay.running(events):         # in the app's lifespan
        ...

An agent's page streams from whichever back end the load balancer gave it, while the event it
must see (a customer's message taken from RabbitMQ, another agent's claim) may happen in another
process. Each process publishes its own events on one Redis channel, tagged with a random origin,
and delivers the other processes' events to its own subscribers (its own were delivered locally
at once). `send` never blocks and never raises: it may run in a route's worker thread; a bounded
outbox drops what Redis cannot take (counted; the desk page reloads what it shows on reconnect).
While Redis is unreachable each process still serves its own pages; the listener reconnects
with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import TYPE_CHECKING, Any, Final

from pydantic_core import to_jsonable_python
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from bot.desk.events import DeskEvent

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bot.desk.events import DeskEvents

logger = logging.getLogger(__name__)

CHANNEL: Final = "billing:desk-events"
OUTBOX_SIZE: Final = 1000
BACKOFF_FIRST_S: Final = 0.5
BACKOFF_CAP_S: Final = 10.0


class RedisEventRelay:
    """Carries DeskEvents between processes (see the module docstring)."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self._url = url
        self._channel = channel
        self.origin = uuid.uuid4().hex
        self._outbox: asyncio.Queue[str] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.dropped = 0

    def send(self, event: DeskEvent) -> None:
        """Queue one of this process's events for the others (from any thread)."""
        outbox, loop = self._outbox, self._loop
        if outbox is None or loop is None or loop.is_closed():
            return  # not running (app starting or stopping): this process only
        payload = json.dumps(
            {"origin": self.origin, "kind": event.kind, "data": to_jsonable_python(event.data)},
            separators=(",", ":"),
        )
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._enqueue, outbox, payload)

    def _enqueue(self, outbox: asyncio.Queue[str], payload: str) -> None:
        try:
            outbox.put_nowait(payload)
        except asyncio.QueueFull:
            self.dropped += 1
            logger.warning("desk_relay.dropped", extra={"rows": self.dropped})

    def received(self, raw: bytes | str, events: DeskEvents) -> bool:
        """Deliver another process's event locally; False for our own or a malformed one."""
        try:
            message: Any = json.loads(raw)
            origin, kind, data = message["origin"], message["kind"], message["data"]
        except (ValueError, TypeError, KeyError):
            logger.warning("desk_relay.malformed")
            return False
        if origin == self.origin or not isinstance(kind, str) or not isinstance(data, dict):
            return False
        events.deliver(DeskEvent(kind, data))
        return True

    async def _publish_forever(self, client: aioredis.Redis, outbox: asyncio.Queue[str]) -> None:
        backoff = BACKOFF_FIRST_S
        while True:
            payload = await outbox.get()
            while True:
                try:
                    await client.publish(self._channel, payload)
                    backoff = BACKOFF_FIRST_S
                    break
                except (RedisError, OSError) as error:
                    logger.warning(
                        "desk_relay.publish_failed", extra={"error": type(error).__name__}
                    )
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, BACKOFF_CAP_S)

    async def _listen_forever(self, client: aioredis.Redis, events: DeskEvents) -> None:
        backoff = BACKOFF_FIRST_S
        while True:
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    logger.info("desk_relay.listening")
                    backoff = BACKOFF_FIRST_S
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.received(message["data"], events)
            except (RedisError, OSError) as error:
                logger.warning("desk_relay.listen_failed", extra={"error": type(error).__name__})
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_CAP_S)

    @contextlib.asynccontextmanager
    async def running(self, events: DeskEvents) -> AsyncIterator[None]:
        """Publish and listen in the background for the duration of the block."""
        client = aioredis.Redis.from_url(
            self._url, socket_connect_timeout=2, health_check_interval=10
        )
        outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._outbox, self._loop = outbox, asyncio.get_running_loop()
        tasks = [
            asyncio.create_task(self._publish_forever(client, outbox), name="desk-relay-publish"),
            asyncio.create_task(self._listen_forever(client, events), name="desk-relay-listen"),
        ]
        try:
            yield
        finally:
            self._outbox = self._loop = None
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await client.aclose()
