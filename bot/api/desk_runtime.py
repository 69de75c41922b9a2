"""What the desk keeps running while the app serves: the Rasa client and the queue updater.

`create_app` passes `desk_lifespan` to FastAPI: at start it opens the Rasa HTTP client (in the
server's event loop, `app.state.rasa`) and starts the queue updater unless
DESK_QUEUE_UPDATE_SECONDS=0; at shutdown it stops the updater and closes the client. In the
scale-out profile it also relays the desk's events through Redis (DESK_REDIS_URL; the queue
updater then takes turns with the other back ends) and consumes Rasa's RabbitMQ event broker
(RABBITMQ_URL).
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import TYPE_CHECKING

from bot.desk.broker_consumer import EventBrokerConsumer, consuming
from bot.desk.event_relay import CHANNEL as RELAY_CHANNEL
from bot.desk.event_relay import RedisEventRelay
from bot.desk.queue_updater import QueueUpdater, running
from bot.desk.rasa_client import RasaClient
from bot.desk.turns import RedisTurns

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from fastapi import FastAPI

    from bot.settings import Settings


@contextlib.asynccontextmanager
async def desk_lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    rasa = RasaClient.from_settings(settings)
    app.state.rasa = rasa
    relay = turns = None
    if settings.desk_redis_url:
        # Back ends share events and turns when they share a billing database (and only then:
        # another cluster or a test on the same Redis keeps to itself).
        scope = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
        relay = RedisEventRelay(settings.desk_redis_url, f"{RELAY_CHANNEL}:{scope}")
        turns = RedisTurns(settings.desk_redis_url, f"desk-queue-updater:{scope}")
    consumer = None
    if settings.rabbitmq_url:
        consumer = EventBrokerConsumer(
            settings.rabbitmq_url,
            settings.rabbitmq_queue,
            settings.rabbitmq_exchange,
            app.state.session_factory,
            app.state.desk_events,
        )
    updater = QueueUpdater(
        session_factory=app.state.session_factory,
        rasa=rasa,
        events=app.state.desk_events,
        config=app.state.desk_config,
        clock=app.state.clock,
        my_turn=turns.mine if turns is not None else None,
    )
    try:
        async with contextlib.AsyncExitStack() as stack:
            if relay is not None:
                await stack.enter_async_context(relay.running(app.state.desk_events))
                app.state.desk_events.attach_relay(relay)
            await stack.enter_async_context(consuming(consumer))
            await stack.enter_async_context(running(updater, settings.desk_queue_update_seconds))
            yield
    finally:
        app.state.desk_events.attach_relay(None)
        app.state.rasa = None
        await rasa.aclose()
        if turns is not None:
            await turns.aclose()
