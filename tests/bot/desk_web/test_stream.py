"""The desk's live stream (Server-Sent Events) fed by DeskEvents."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bot.desk.events import DeskEvents
from bot.desk.stream import RETRY_MILLISECONDS, SESSION_ENDED, sse, sse_events
from tests.bot.api_helpers import expect_error
from tests.bot.desk_web.helpers import SERVICE, log_in, open_ticket

if TYPE_CHECKING:
    import httpx
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock

RETRY = f"retry: {RETRY_MILLISECONDS}\n\n"


def events_of(response: httpx.Response) -> Iterator[tuple[str, Any]]:
    """(kind, data) of each event as it arrives."""
    kind, data = None, None
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = json.loads(line.removeprefix("data: "))
        elif line == "" and kind is not None:
            yield kind, data
            kind, data = None, None


def test_a_customer_message_reaches_the_open_stream(
    desk_client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    ticket_id = open_ticket(desk_client, seeded_db, clock, "sse-1", verified=False)
    log_in(desk_client, "maria")

    with desk_client.stream("GET", "/desk/api/stream") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = {
            "sender_id": "sse-1",
            "event": "user",
            "text": "are you still there?",
            "timestamp": clock().timestamp() + 1,
            "input_channel": "socketio",
        }
        posted = desk_client.post(
            "/api/v1/conversation-events", json={"events": [event]}, headers=SERVICE
        )
        assert posted.status_code == 202
        assert posted.json() == {"stored": 1}
        received = events_of(stream)
        kind, data = next(received)
        while kind != "message":
            assert kind != "ping", "no message event before the first ping"
            kind, data = next(received)

    assert data["ticket_id"] == ticket_id
    assert data["message"]["sender"] == "customer"
    assert data["message"]["text"] == "are you still there?"


def test_logging_out_ends_the_stream(desk_client: TestClient) -> None:
    log_in(desk_client, "maria")

    with desk_client.stream("GET", "/desk/api/stream") as stream:
        assert desk_client.post("/desk/logout", follow_redirects=False).status_code == 303
        kinds = [kind for kind, _ in events_of(stream)]  # ends: the body is complete

    assert "ping" not in kinds
    expect_error(desk_client.get("/desk/api/stream"), 401, "not_logged_in")


def test_the_stream_pings_and_stops_when_the_session_is_gone() -> None:
    async def run() -> list[str]:
        events = DeskEvents()
        queue = events.subscribe()
        answers = iter([True, False])

        async def still_live() -> bool:
            return next(answers)

        body = sse_events(events, queue, 7, still_live, ping_seconds=0.01)
        chunks = [chunk async for chunk in body]
        assert events.subscribers == 0  # unsubscribed at the end
        return chunks

    chunks = asyncio.run(run())

    assert chunks == [RETRY, "event: ping\ndata: {}\n\n"]


def test_only_the_logged_out_sessions_stream_ends() -> None:
    async def run() -> list[str]:
        events = DeskEvents()
        queue = events.subscribe()

        async def still_live() -> bool:
            return True

        body = sse_events(events, queue, 7, still_live, ping_seconds=5)
        events.publish(SESSION_ENDED, {"session_id": 8})
        events.publish("queue", {})
        events.publish(SESSION_ENDED, {"session_id": 7})
        return [chunk async for chunk in body]

    assert asyncio.run(run()) == [RETRY, sse("queue", {})]


def test_a_stream_ends_after_its_time_and_the_browser_reconnects() -> None:
    async def run() -> list[str]:
        events = DeskEvents()

        async def still_live() -> bool:
            return True

        body = sse_events(events, events.subscribe(), 7, still_live, max_seconds=0.05)
        chunks = [chunk async for chunk in body]
        assert events.subscribers == 0
        return chunks

    assert asyncio.run(run()) == [RETRY]


def test_an_open_stream_keeps_the_agent_seen_but_not_the_session_alive(
    desk_client: TestClient, clock: FakeClock
) -> None:
    log_in(desk_client, "maria")
    clock.advance(minutes=479)

    with desk_client.stream("GET", "/desk/api/stream") as stream:
        assert stream.status_code == 200
    clock.advance(minutes=2)

    expect_error(desk_client.get("/desk/api/me"), 401, "not_logged_in")
