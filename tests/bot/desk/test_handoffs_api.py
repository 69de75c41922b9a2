"""The service-token routes of the handoff (docs/desk-api.md): open, status, callback, withdraw,
conversation events; their errors; and what they publish to the desk's live stream."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.events import DeskEvent, DeskEvents
from bot.desk.models import HandoffTicket, TicketMessage
from bot.safety.masking import CARD_MASK
from tests.bot.api_helpers import expect_error
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy import Engine

    from tests.bot.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("fresh_demo_agents")
BODY = {
    "conversation_id": "api-conv",
    "channel": "socketio",
    "reason": "customer_request",
    "summary": "Asked why the bill went up; asked for a person.",
    "intents": ["bill_higher_than_usual", "talk_to_human"],
    "slots": {"pending_operation": "credit|17|", "step_up_code": "123456"},
    "transcript": [
        {"sender": "customer", "text": "why is my bill so high", "at": "2026-11-15T09:59:00Z"}
    ],
}


class Listener:
    """A subscriber of the app's DeskEvents on its own event loop (as the SSE route would be)."""

    def __init__(self, events: DeskEvents) -> None:
        self.loop = asyncio.new_event_loop()
        self.events = events

        async def subscribe() -> asyncio.Queue[DeskEvent]:
            return events.subscribe()

        self.queue = self.loop.run_until_complete(subscribe())

    def received(self) -> list[DeskEvent]:
        self.loop.run_until_complete(asyncio.sleep(0.01))  # run the callbacks sent from threads
        got = []
        while not self.queue.empty():
            got.append(self.queue.get_nowait())
        return got

    def close(self) -> None:
        self.events.unsubscribe(self.queue)
        self.loop.close()


@pytest.fixture
def listener(client: TestClient) -> Iterator[Listener]:
    app: Any = client.app
    listening = Listener(app.state.desk_events)
    yield listening
    listening.close()


def test_open_a_ticket_without_agents(client: TestClient, listener: Listener) -> None:
    answer = client.post("/api/v1/handoffs", json=BODY)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "queued"
    assert body["position"] == 1
    assert body["estimated_wait_seconds"] is None  # nobody on duty: no honest estimate
    assert body["agents_on_duty"] == 0
    assert body["open_now"] is True
    assert body["callback_offered"] is True
    assert len(body["callback_windows"]) == 3
    first = body["callback_windows"][0]
    assert (first["start"], first["end"]) == ("2026-11-15T10:00:00Z", "2026-11-15T12:00:00Z")
    assert first["label"] == "Today 11:00-13:00"  # Ljubljana is UTC+1 in November
    assert body["callback_window"] is None
    kinds = [event.kind for event in listener.received()]
    assert kinds == ["ticket", "queue"]


def test_opening_again_returns_the_open_ticket(client: TestClient, listener: Listener) -> None:
    first = client.post("/api/v1/handoffs", json=BODY)
    listener.received()
    again = client.post("/api/v1/handoffs", json={**BODY, "reason": "upset_customer"})
    assert again.status_code == 200
    assert again.json()["ticket_id"] == first.json()["ticket_id"]
    assert listener.received() == []


def test_stored_ticket_keeps_allowed_slots_and_masks_the_transcript(
    client: TestClient, seeded_db: Engine
) -> None:
    line = {"sender": "customer", "text": "my card 4111 1111 1111 1111 was charged twice"}
    client.post("/api/v1/handoffs", json={**BODY, "transcript": [line]})
    with Session(seeded_db) as session:
        ticket = session.scalars(select(HandoffTicket)).one()
        assert ticket.slots == {"pending_operation": "credit|17|"}
        assert ticket.account_id is None
        assert ticket.verified is False
        texts = session.scalars(select(TicketMessage.text)).all()
    assert texts == [f"my card {CARD_MASK} was charged twice"]


def test_estimate_with_an_agent_on_duty(
    client: TestClient, seeded_db: Engine, clock: FakeClock
) -> None:
    with Session(seeded_db) as session:
        helpers.agent(session, clock())
    body = client.post("/api/v1/handoffs", json=BODY).json()
    # One arrival in the last hour, default handle time 300 s, one free agent: Erlang C's
    # average speed of answer, A = 300/3600 Erlang, N = 1: 27.3 s.
    assert (body["agents_on_duty"], body["estimated_wait_seconds"]) == (1, 28)
    assert body["callback_offered"] is False  # 300 s is not above DESK_CALLBACK_ABOVE_SECONDS


def test_status_by_conversation(client: TestClient) -> None:
    expect_error(client.get("/api/v1/handoffs/by-conversation/api-conv"), 404, "not_found")
    opened = client.post("/api/v1/handoffs", json=BODY).json()
    answer = client.get("/api/v1/handoffs/by-conversation/api-conv")
    assert answer.status_code == 200
    assert answer.json() == opened


def test_choose_a_callback_window(client: TestClient, listener: Listener) -> None:
    opened = client.post("/api/v1/handoffs", json=BODY).json()
    listener.received()
    window = opened["callback_windows"][1]
    path = f"/api/v1/handoffs/{opened['ticket_id']}/callback"
    answer = client.post(path, json={"window_start": window["start"]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["position"], body["callback_offered"]) == ("callback", None, False)
    assert body["callback_window"] == window
    assert [event.kind for event in listener.received()] == ["ticket", "queue"]
    # Still the conversation's open ticket: asking again for a person finds it.
    assert client.get("/api/v1/handoffs/by-conversation/api-conv").json()["status"] == "callback"


def test_a_window_that_was_not_offered_is_refused(client: TestClient) -> None:
    ticket_id = client.post("/api/v1/handoffs", json=BODY).json()["ticket_id"]
    path = f"/api/v1/handoffs/{ticket_id}/callback"
    answer = client.post(path, json={"window_start": "2026-11-15T10:30:00Z"})
    expect_error(answer, 422, "invalid_request")
    expect_error(
        client.post(
            "/api/v1/handoffs/999999/callback", json={"window_start": "2026-11-15T10:00:00Z"}
        ),
        404,
        "not_found",
    )


def test_withdraw(client: TestClient, listener: Listener) -> None:
    opened = client.post("/api/v1/handoffs", json=BODY).json()
    listener.received()
    path = f"/api/v1/handoffs/{opened['ticket_id']}/withdraw"
    answer = client.post(path)
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["position"]) == ("withdrawn", None)
    assert [event.kind for event in listener.received()] == ["ticket", "queue"]
    assert client.post(path).status_code == 200  # a retry answers the same
    expect_error(client.get("/api/v1/handoffs/by-conversation/api-conv"), 404, "not_found")
    start = opened["callback_windows"][0]["start"]
    answer = client.post(
        f"/api/v1/handoffs/{opened['ticket_id']}/callback", json={"window_start": start}
    )
    expect_error(answer, 409, "ticket_closed")
    # A new request for a person opens a new ticket.
    assert client.post("/api/v1/handoffs", json=BODY).status_code == 201


def test_conversation_events_reach_the_desk(client: TestClient, listener: Listener) -> None:
    ticket_id = client.post("/api/v1/handoffs", json=BODY).json()["ticket_id"]
    listener.received()
    events = [
        {
            "sender_id": "api-conv",
            "event": "user",
            "text": "hello?",
            "timestamp": 1795000000.5,
            "input_channel": "socketio",
            "parse_data": {"intent": {"name": "greet"}},
        },
        {
            "sender_id": "api-conv",
            "event": "action",
            "name": "action_listen",
            "timestamp": 1795000000.6,
        },
        {
            "sender_id": "other-conv",
            "event": "user",
            "text": "not handed over",
            "timestamp": 1795000000.7,
        },
    ]
    answer = client.post("/api/v1/conversation-events", json={"events": events})
    assert answer.status_code == 202
    assert answer.json() == {"stored": 1}
    (event,) = listener.received()
    assert event.kind == "message"
    assert event.data["ticket_id"] == ticket_id
    message = event.data["message"]
    assert (message["sender"], message["text"], message["agent_name"]) == (
        "customer",
        "hello?",
        None,
    )
    assert message["at"] == "2026-11-18T11:06:40.500000Z"
    again = client.post("/api/v1/conversation-events", json={"events": events})
    assert again.json() == {"stored": 0}
    assert listener.received() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/handoffs"),
        ("GET", "/api/v1/handoffs/by-conversation/abc"),
        ("POST", "/api/v1/handoffs/1/callback"),
        ("POST", "/api/v1/handoffs/1/withdraw"),
        ("POST", "/api/v1/conversation-events"),
    ],
)
def test_every_route_needs_the_service_token(client: TestClient, method: str, path: str) -> None:
    answer = client.request(method, path, json={}, headers={"Authorization": "Bearer wrong"})
    expect_error(answer, 401, "unauthorized")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/handoffs", {k: v for k, v in BODY.items() if k != "reason"}),
        ("/api/v1/handoffs", {**BODY, "reason": "bored"}),
        ("/api/v1/handoffs", {**BODY, "account_number": "100001"}),  # never named by the caller
        ("/api/v1/handoffs", {**BODY, "conversation_id": ""}),
        ("/api/v1/handoffs", {**BODY, "transcript": [{"sender": "robot", "text": "x"}]}),
        ("/api/v1/handoffs/1/callback", {"window_start": "2026-11-15T10:00:00"}),  # naive
        ("/api/v1/handoffs/1/callback", {}),
        ("/api/v1/conversation-events", {"events": "not a list"}),
        ("/api/v1/conversation-events", {"events": [{"sender_id": "a", "event": "user"}]}),
        ("/api/v1/conversation-events", {}),
    ],
)
def test_malformed_bodies(client: TestClient, path: str, body: dict[str, Any]) -> None:
    expect_error(client.post(path, json=body), 422, "invalid_request")
