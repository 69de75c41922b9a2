"""The event broker posts user and bot events to a real HTTP server, and loses none of them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from addons.backend_event_broker import EVENTS_PATH, BackendEventBroker, forwarded_fields


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FakeBackend:
    """A real HTTP server that records what it is sent; `failures` answers 503 that many times."""

    port: int
    failures: int = 0
    status: int = 202
    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.tokens.append(request.headers.get("Authorization", ""))
        if self.failures > 0:
            self.failures -= 1
            return web.json_response({"error": "down"}, status=503)
        self.batches.append((await request.json())["events"])
        return web.json_response({"stored": 0}, status=self.status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(EVENTS_PATH, self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    @property
    def texts(self) -> list[str]:
        return [event["text"] for batch in self.batches for event in batch]


@pytest.fixture
async def backend() -> AsyncIterator[FakeBackend]:
    server = FakeBackend(free_port())
    await server.start()
    yield server
    await server.stop()


async def broker_for(port: int) -> BackendEventBroker:
    config = EndpointConfig(
        url=f"http://127.0.0.1:{port}",
        token="secret-token",
        type="addons.backend_event_broker.BackendEventBroker",
        max_backoff_seconds=0.2,
    )
    return await BackendEventBroker.from_endpoint_config(config)


def user(text: str, timestamp: float) -> dict[str, Any]:
    return {
        "sender_id": "c1",
        "event": "user",
        "text": text,
        "timestamp": timestamp,
        "input_channel": "socketio",
        "parse_data": {"intent": {"name": "greet"}},
    }


async def until(condition: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_user_and_bot_events_are_posted_with_the_token(backend: FakeBackend) -> None:
    broker = await broker_for(backend.port)
    broker.publish(user("hello", 1.0))
    broker.publish({"sender_id": "c1", "event": "action", "name": "action_listen", "timestamp": 2})
    broker.publish({"sender_id": "c1", "event": "bot", "text": "Hi!", "timestamp": 3.0})
    await until(lambda: len(backend.texts) == 2)
    await broker.close()
    assert backend.texts == ["hello", "Hi!"]
    assert set(backend.tokens) == {"Bearer secret-token"}
    first = backend.batches[0][0]
    assert "parse_data" not in first  # only what the desk needs
    assert first["sender_id"] == "c1"
    assert first["timestamp"] == 1.0


async def test_nothing_is_lost_while_the_back_end_fails(backend: FakeBackend) -> None:
    backend.failures = 3
    broker = await broker_for(backend.port)
    for number in range(5):
        broker.publish(user(f"message {number}", float(number)))
    await until(lambda: len(backend.texts) == 5)
    await broker.close()
    assert backend.texts == [f"message {n}" for n in range(5)]  # once each, in order


async def test_events_wait_for_a_back_end_that_is_not_up_yet() -> None:
    port = free_port()
    broker = await broker_for(port)
    broker.publish(user("sent while the back end is down", 1.0))
    await asyncio.sleep(0.5)
    late = FakeBackend(port)
    await late.start()
    try:
        await until(lambda: late.texts == ["sent while the back end is down"])
    finally:
        await broker.close()
        await late.stop()


async def test_a_refused_batch_is_dropped_not_retried_forever(backend: FakeBackend) -> None:
    backend.status = 422
    broker = await broker_for(backend.port)
    broker.publish(user("one", 1.0))
    await until(lambda: len(backend.batches) == 1)
    backend.status = 202
    broker.publish(user("two", 2.0))
    await until(lambda: len(backend.batches) == 2)
    await broker.close()
    assert backend.texts == ["one", "two"]


def test_only_messages_are_forwarded() -> None:
    assert forwarded_fields({"event": "slot", "name": "verified", "value": True}) is None
    assert forwarded_fields({"event": "user", "text": "x"}) == {
        "sender_id": None,
        "event": "user",
        "text": "x",
        "timestamp": None,
        "input_channel": None,
    }


async def test_the_endpoint_needs_url_and_token() -> None:
    with pytest.raises(ValueError, match="url"):
        await BackendEventBroker.from_endpoint_config(EndpointConfig(url="http://x"))


async def test_turns_that_come_together_share_one_post(backend: FakeBackend) -> None:
    """Events published while the broker lingers go out together, in order; a lone one still
    goes out within the linger."""
    broker = await broker_for(backend.port)
    broker.publish(user("first conversation", 1.0))  # posts at once, then the broker lingers
    await until(lambda: len(backend.batches) == 1)
    started = asyncio.get_running_loop().time()
    for number in range(6):  # six conversations' turns while the first POST lingers
        broker.publish({**user(f"turn {number}", 2.0 + number), "sender_id": f"c{number}"})
        await asyncio.sleep(0.01)
    await until(lambda: len(backend.texts) == 7)
    await broker.close()
    assert len(backend.batches) == 2
    assert backend.texts[1:] == [f"turn {n}" for n in range(6)]
    assert asyncio.get_running_loop().time() - started < 2.0
