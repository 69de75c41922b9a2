"""Rasa's RabbitMQ event broker, consumed by the back end: conversation messages reach the desk.

In the scale-out profile (`make run-cluster`) Rasa publishes every tracker event with its
standard `pika` broker to the fanout exchange RABBITMQ_EXCHANGE (Rasa's default
`rasa-exchange`), bound to the durable queue RABBITMQ_QUEUE. Every back-end process consumes that
one queue (competing consumers: each event is taken by one of them) and feeds the desk exactly
what the HTTP broker's POST /api/v1/conversation-events feeds it (`bot.desk.feed`): `user` and
`bot` events of conversations with an open ticket, masked, stored once, pushed live (to every
back end's pages through the Redis relay).

Nothing is lost: a batch is acknowledged only after its transaction committed; while the
database is unreachable the batch is held (RabbitMQ keeps it, unacknowledged) and retried with
backoff; a back end killed mid-batch leaves its unacknowledged events to RabbitMQ, which hands
them to the other back end (the transcript deduplicates a replay). An event that is not JSON or
not a valid event is logged and acknowledged (dropping it is all a retry could do).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any, Final

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from bot.desk.feed import take_conversation_events
from bot.desk.schemas import ConversationEvent

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.orm import Session, sessionmaker

    from bot.desk.events import DeskEvents

logger = logging.getLogger(__name__)

FORWARDED_EVENTS: Final = frozenset({"user", "bot"})
BATCH_SIZE: Final = 100
BACKOFF_FIRST_S: Final = 0.5
BACKOFF_CAP_S: Final = 15.0


def parse_event(body: bytes) -> ConversationEvent | None:
    """The desk's part of one broker message, or None for events the desk does not need."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        logger.warning("event_consumer.not_json")
        return None
    if not isinstance(data, dict) or data.get("event") not in FORWARDED_EVENTS:
        return None
    try:
        return ConversationEvent.model_validate(data)
    except ValidationError:
        logger.warning("event_consumer.invalid_event")
        return None


class EventBrokerConsumer:
    """Consumes RABBITMQ_QUEUE into the desk (see the module docstring)."""

    def __init__(
        self,
        url: str,
        queue: str,
        exchange: str,
        session_factory: sessionmaker[Session],
        events: DeskEvents,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._url = url
        self._queue = queue
        self._exchange = exchange
        self._session_factory = session_factory
        self._events = events
        self._batch_size = batch_size
        self.stored = 0  # messages stored by this process (for logs and tests)

    def _store(self, events: list[ConversationEvent]) -> int:
        with self._session_factory() as session:
            return take_conversation_events(session, events, self._events)

    async def handle(self, batch: list[AbstractIncomingMessage]) -> None:
        """Store one batch, retrying while the database fails, then acknowledge it."""
        events = [event for message in batch if (event := parse_event(message.body)) is not None]
        backoff = BACKOFF_FIRST_S
        while events:
            try:
                self.stored += await run_in_threadpool(self._store, events)
                break
            except SQLAlchemyError as error:
                logger.warning("event_consumer.store_failed", extra={"error": type(error).__name__})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_CAP_S)
        await batch[-1].ack(multiple=True)

    async def _connect(self) -> aio_pika.abc.AbstractRobustConnection:
        """A robust connection (it reconnects and consumes again by itself), retried until
        RabbitMQ answers."""
        backoff = BACKOFF_FIRST_S
        while True:
            try:
                return await aio_pika.connect_robust(self._url, timeout=5)
            except (OSError, aio_pika.exceptions.AMQPError) as error:
                logger.warning(
                    "event_consumer.connect_failed", extra={"error": type(error).__name__}
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_CAP_S)

    async def run_forever(self) -> None:
        connection = await self._connect()
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self._batch_size)
            # Declared as Rasa declares them, so whichever starts first, both agree.
            exchange = await channel.declare_exchange(self._exchange, aio_pika.ExchangeType.FANOUT)
            queue = await channel.declare_queue(self._queue, durable=True)
            await queue.bind(exchange)
            inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
            await queue.consume(inbox.put)
            logger.info("event_consumer.consuming")
            while True:
                batch = [await inbox.get()]
                while len(batch) < self._batch_size and not inbox.empty():
                    batch.append(inbox.get_nowait())
                try:
                    await self.handle(batch)
                except aio_pika.exceptions.AMQPError as error:
                    # The channel closed before the ack: RabbitMQ delivers the batch again.
                    logger.warning(
                        "event_consumer.ack_failed", extra={"error": type(error).__name__}
                    )
                except Exception:  # a bug, not an outage: keep consuming, drop this batch
                    logger.exception("event_consumer.batch_failed", extra={"rows": len(batch)})
                    with contextlib.suppress(aio_pika.exceptions.AMQPError):
                        await batch[-1].nack(multiple=True, requeue=False)
        finally:
            await connection.close()


@contextlib.asynccontextmanager
async def consuming(consumer: EventBrokerConsumer | None) -> AsyncIterator[None]:
    """Run the consumer in the background for the duration of the block (None: not at all)."""
    if consumer is None:
        yield
        return
    task = asyncio.create_task(consumer.run_forever(), name="desk-event-consumer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
