"""A paused conversation: every customer message reaches the desk, once, in order.

Real processes: Rasa stores the messages of a paused conversation and its event broker posts
them to the back end; the desk reads them from the ticket. Over the REST channel.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import SERVICE_TOKEN, Stack
from tests.e2e.test_conversations import verify

MESSAGES = 25


@pytest.fixture
def desk(stack: Stack) -> Iterator[httpx.Client]:
    """Maria, logged in to the desk (on duty) through the login form."""
    with httpx.Client(base_url=stack.backend_url, timeout=30) as client:
        form = client.get("/desk/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token, "the login form carries a CSRF token"
        login = {"username": "maria", "password": "maria-demo", "csrf_token": token.group(1)}
        assert client.post("/desk/login", data=login).status_code == 303
        client.headers["X-CSRF-Token"] = client.get("/desk/api/me").json()["csrf_token"]
        yield client
        client.post("/desk/logout")


def ticket_id_of(stack: Stack, conversation: str) -> int:
    """The conversation's open ticket, as the action server would look it up."""
    response = httpx.get(
        f"{stack.backend_url}/api/v1/handoffs/by-conversation/{conversation}",
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
    )
    response.raise_for_status()
    return int(response.json()["ticket_id"])


def customer_texts(detail: dict[str, object]) -> list[str]:
    messages = detail["messages"]
    assert isinstance(messages, list)
    return [m["text"] for m in messages if m["sender"] == "customer"]


def test_messages_of_a_paused_conversation_reach_the_desk_none_lost(
    stack: Stack, sender: str, desk: httpx.Client
) -> None:
    verify(stack, sender, "what do I owe?", "100001", "14 March 1985")
    queued = " ".join(stack.chat(sender, "let me talk to a person"))
    assert re.search(r"You're (next in line|number \d+ in the queue)", queued)
    ticket = ticket_id_of(stack, sender)
    assert desk.post(f"/desk/api/tickets/{ticket}/claim").status_code == 200

    sent = [f"message number {n} while I wait" for n in range(MESSAGES)]
    for text in sent:
        assert stack.chat(sender, text) == []  # paused: the bot stays quiet
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        detail = desk.get(f"/desk/api/tickets/{ticket}").json()
        received = [t for t in customer_texts(detail) if "while I wait" in t]
        if len(received) >= MESSAGES:
            break
        time.sleep(0.5)
    assert received == sent  # all of them, once each, in order

    desk.post(
        f"/desk/api/tickets/{ticket}/resolve",
        json={"outcome": "no_action", "then": "hand_back"},
    ).raise_for_status()
    answer = stack.chat(sender, "what's my balance?")  # the bot listens again, in context
    assert answer[0].startswith("Your balance is"), answer


def test_rasa_s_http_api_needs_the_token(stack: Stack, sender: str) -> None:
    stack.chat(sender, "hi")
    tracker = f"{stack.rasa_url}/conversations/{sender}/tracker"
    assert httpx.get(tracker).status_code == 401
    assert httpx.get(tracker, params={"token": "wrong"}).status_code == 401
    assert httpx.get(tracker, params={"token": stack.env["RASA_TOKEN"]}).status_code == 200
    pause = f"{stack.rasa_url}/conversations/{sender}/tracker/events"
    assert httpx.post(pause, json={"event": "pause"}).status_code == 401
