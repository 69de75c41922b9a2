"""The back end's scale-out parts against this machine's Redis and RabbitMQ (no fakes):

- the Redis relay carries one process's desk events to another's subscribers, once, no echo;
- the RabbitMQ consumer stores what Rasa's pika broker publishes on the open ticket (masked,
  once, in order), pushes it to the desk, skips other events and malformed messages, holds a
  batch while the database fails, and acknowledges everything it handled;
- turns: one process per round runs the queue updater.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import TYPE_CHECKING, Any

import aio_pika
import pytest
from redis import asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.desk.broker_consumer import EventBrokerConsumer, parse_event
from bot.desk.event_relay import RedisEventRelay
from bot.desk.events import DeskEvent, DeskEvents
from bot.desk.models import TicketMessage
from bot.desk.turns import RedisTurns
from bot.desk.types import MessageSender

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi.testclient import TestClient
    from sqlalchemy.orm import Session, sessionmaker

REDIS_URL = "redis://127.0.0.1:6379/2"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
TIMEOUT_S = 20


async def _until(check: Callable[[], bool], what: str) -> None:
    for _ in range(TIMEOUT_S * 20):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} not within {TIMEOUT_S} s")


def test_the_relay_carries_events_between_processes_once() -> None:
    channel = f"test-desk-events:{uuid.uuid4().hex}"
    first, second = DeskEvents(), DeskEvents()
    relay_one, relay_two = RedisEventRelay(REDIS_URL, channel), RedisEventRelay(REDIS_URL, channel)

    async def scenario() -> None:
        async with relay_one.running(first), relay_two.running(second):
            first.attach_relay(relay_one)
            second.attach_relay(relay_two)
            mine, theirs = first.subscribe(), second.subscribe()
            probe = aioredis.Redis.from_url(REDIS_URL)
            await _until_subscribed(probe, channel)
            # From a worker thread, as a sync route publishes.
            thread = threading.Thread(target=first.publish, args=("message", {"ticket_id": 7}))
            thread.start()
            thread.join()
            second.publish("queue", {})
            expected = [DeskEvent("message", {"ticket_id": 7}), DeskEvent("queue", {})]
            for subscriber in (mine, theirs):  # each event once, wherever it was published
                got = [await asyncio.wait_for(subscriber.get(), TIMEOUT_S) for _ in expected]
                assert sorted(got, key=repr) == sorted(expected, key=repr)
            await asyncio.sleep(0.3)
            assert mine.empty()  # no echo of our own events
            assert theirs.empty()
            await probe.aclose()

    asyncio.run(scenario())


async def _until_subscribed(client: Any, channel: str) -> None:
    for _ in range(TIMEOUT_S * 20):
        ((_, listeners),) = await client.pubsub_numsub(channel)
        if listeners == 2:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the relays did not subscribe")


def test_the_relay_ignores_malformed_and_own_messages() -> None:
    relay, events = RedisEventRelay(REDIS_URL, "unused"), DeskEvents()
    assert not relay.received(b"not json", events)
    assert not relay.received(json.dumps({"origin": "x"}), events)
    own = {"origin": relay.origin, "kind": "queue", "data": {}}
    assert not relay.received(json.dumps(own), events)
    assert relay.received(json.dumps({**own, "origin": "other"}), events)


def test_parse_event_keeps_user_and_bot_events_only() -> None:
    user = {"sender_id": "c", "event": "user", "text": "hi", "timestamp": 1.0, "x": [1]}
    assert parse_event(json.dumps(user).encode()) is not None
    assert parse_event(json.dumps({**user, "event": "slot"}).encode()) is None
    assert parse_event(json.dumps({**user, "timestamp": "soon"}).encode()) is None
    assert parse_event(b"\xff not json") is None
    assert parse_event(b"[1, 2]") is None


BODY = {
    "conversation_id": "",
    "channel": "socketio",
    "reason": "customer_request",
    "summary": "Asked for a person.",
    "intents": ["talk_to_human"],
    "slots": {},
    "transcript": [],
}


def _rasa_events(conversation: str) -> list[bytes]:
    """What Rasa's pika broker publishes: every tracker event, as JSON."""
    events: list[Any] = [
        {"sender_id": conversation, "event": "user", "text": "first", "timestamp": 1795000001.0},
        {"sender_id": conversation, "event": "action", "name": "action_listen", "timestamp": 2},
        {
            "sender_id": conversation,
            "event": "user",
            "text": "my card is 4111 1111 1111 1111",
            "timestamp": 1795000002.0,
            "parse_data": {"intent": {"name": "inform"}},
        },
        {"sender_id": "nobody-handed-over", "event": "user", "text": "x", "timestamp": 3.0},
        "a string, not an event",
    ]
    encoded = [json.dumps(event).encode() for event in events]
    return [*encoded, b"{not json", encoded[0]]  # malformed, then a redelivered duplicate


async def _publish(exchange_name: str, queue_name: str, bodies: list[bytes]) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(queue_name, durable=True)
        await queue.bind(exchange)
        for body in bodies:
            await exchange.publish(aio_pika.Message(body), "")


async def _queue_length(queue_name: str) -> int:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        return int(queue.declaration_result.message_count or 0)


async def _delete(exchange_name: str, queue_name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue_name)
        await channel.exchange_delete(exchange_name)


class FailingFirst:
    """A session factory whose first session fails as an unreachable database does."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory, self.failures = factory, 0

    def __call__(self) -> Session:
        if self.failures == 0:
            self.failures += 1
            raise OperationalError("connect", {}, Exception("database unreachable"))
        return self.factory()


@pytest.mark.usefixtures("fresh_demo_agents")
def test_the_consumer_feeds_rasa_s_events_to_the_desk(client: TestClient) -> None:
    app: Any = client.app
    conversation = f"broker-{uuid.uuid4().hex[:8]}"
    ticket_id = client.post("/api/v1/handoffs", json={**BODY, "conversation_id": conversation})
    ticket_id.raise_for_status()
    ticket = ticket_id.json()["ticket_id"]
    tag = uuid.uuid4().hex[:8]
    exchange, queue = f"test-exchange-{tag}", f"test-queue-{tag}"
    factory = FailingFirst(app.state.session_factory)
    consumer = EventBrokerConsumer(
        RABBITMQ_URL, queue, exchange, factory, app.state.desk_events, batch_size=3
    )

    async def scenario() -> list[DeskEvent]:
        pushed = app.state.desk_events.subscribe()
        await _publish(exchange, queue, _rasa_events(conversation))
        task = asyncio.create_task(consumer.run_forever())
        try:
            await _until(lambda: consumer.stored == 2, "both customer messages stored")
            for _ in range(TIMEOUT_S * 10):
                if await _queue_length(queue) == 0:
                    break
                await asyncio.sleep(0.1)
            assert await _queue_length(queue) == 0  # every message acknowledged
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await _delete(exchange, queue)
        return [pushed.get_nowait() for _ in range(pushed.qsize())]

    pushed = asyncio.run(scenario())
    assert factory.failures == 1  # the first batch waited for the database, then went in
    with app.state.session_factory() as session:
        texts = session.scalars(
            select(TicketMessage.text)
            .where(
                TicketMessage.ticket_id == ticket, TicketMessage.sender == MessageSender.CUSTOMER
            )
            .order_by(TicketMessage.at, TicketMessage.id)
        ).all()
    assert texts[0] == "first"
    assert "4111" not in texts[1]
    assert len(texts) == 2  # the duplicate stored once
    assert [(e.kind, e.data["ticket_id"]) for e in pushed] == [("message", ticket)] * 2


def test_one_process_per_round_takes_its_turn() -> None:
    job = f"test-job-{uuid.uuid4().hex}"

    async def scenario() -> tuple[list[bool], bool]:
        one, two = RedisTurns(REDIS_URL, job), RedisTurns(REDIS_URL, job)
        try:
            first_round = [await one.mine(0.5), await two.mine(0.5)]
            await asyncio.sleep(0.5)  # the claim lasts 80 % of a round
            return first_round, await two.mine(0.5)
        finally:
            await one.aclose()
            await two.aclose()

    first_round, next_round = asyncio.run(scenario())
    assert first_round == [True, False]
    assert next_round is True
