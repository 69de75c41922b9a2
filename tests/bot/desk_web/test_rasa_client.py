"""The Rasa HTTP client against a real local HTTP server standing in for Rasa."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest

from bot.core.errors import RasaUnavailable
from bot.desk.rasa_client import RasaClient, from_person
from tests.bot.desk_web.fake_rasa import RASA_TOKEN, FakeRasa, running_fake_rasa

T = TypeVar("T")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeRasa]:
    with running_fake_rasa() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(fake: FakeRasa) -> None:
    fake.requests.clear()
    fake.events.clear()
    fake.down = False


def call(url: str, token: str | None, use: Callable[[RasaClient], Awaitable[T]]) -> T:
    async def run() -> T:
        client = RasaClient(url, token, timeout_seconds=2)
        try:
            return await use(client)
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_pause_reply_system_line_resume_reach_rasa_in_order(fake: FakeRasa) -> None:
    async def flow(rasa: RasaClient) -> str:
        await rasa.pause("conv-1")
        sent = await rasa.send_agent_reply("conv-1", "Maria", "I have credited the fee.")
        await rasa.send_system_line("conv-1", "You're back with the billing assistant.")
        await rasa.resume("conv-1")
        return sent

    sent = call(fake.url, RASA_TOKEN, flow)

    assert sent == "Maria (billing team): I have credited the fee."
    assert fake.kinds("conv-1") == ["pause", "bot", "bot", "resume", "action"]
    assert fake.bot_texts("conv-1") == [sent, "You're back with the billing assistant."]
    pause, reply, *_ = [r for r in fake.requests if r.method == "POST"]
    assert pause.path == "/conversations/conv-1/tracker/events"
    assert pause.query == {"token": RASA_TOKEN}
    assert reply.query == {
        "token": RASA_TOKEN,
        "execute_side_effects": "true",
        "output_channel": "latest",
    }


def test_the_survey_is_the_bot_s_action_then_the_bot_listens(fake: FakeRasa) -> None:
    call(fake.url, RASA_TOKEN, lambda rasa: rasa.ask_survey("conv-2"))

    execute, listen = [r for r in fake.requests if r.method == "POST"]
    assert execute.path == "/conversations/conv-2/execute"
    assert execute.body == {"name": "action_ask_survey_after_handoff"}
    assert execute.query == {"token": RASA_TOKEN, "output_channel": "latest"}
    assert listen.body == {"event": "action", "name": "action_listen"}


def test_agent_text_is_marked_as_from_a_person() -> None:
    assert from_person("Luka", "Hello") == "Luka (billing team): Hello"


def test_conversation_turns_are_the_user_and_bot_events(fake: FakeRasa) -> None:
    fake.events["abc"] = [
        {"event": "action", "name": "action_listen", "timestamp": 1795000000.0},
        {"event": "user", "text": "why is my bill high", "timestamp": 1795000001.5},
        {"event": "bot", "text": "Let me check.", "timestamp": 1795000002.0},
        {"event": "slot", "name": "x", "value": 1, "timestamp": 1795000003.0},
    ]

    turns = call(fake.url, RASA_TOKEN, lambda rasa: rasa.conversation_turns("abc"))

    assert [(t.sender, t.text) for t in turns] == [
        ("customer", "why is my bill high"),
        ("bot", "Let me check."),
    ]
    assert turns[0].at.isoformat() == "2026-11-18T11:06:41.500000+00:00"


@pytest.mark.parametrize("problem", ["down", "wrong_token", "no_token"])
def test_refusals_and_outages_are_rasa_unavailable(fake: FakeRasa, problem: str) -> None:
    fake.down = problem == "down"
    token = {"down": RASA_TOKEN, "wrong_token": "nope", "no_token": None}[problem]

    with pytest.raises(RasaUnavailable):
        call(fake.url, token, lambda rasa: rasa.pause("abc"))

    assert fake.kinds("abc") == []
    assert len(fake.requests) == (0 if problem == "no_token" else 1)


def test_nothing_listening_is_rasa_unavailable_and_a_read_is_tried_twice() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]  # nothing listens once the socket closes

    with pytest.raises(RasaUnavailable, match="could not be reached"):
        call(f"http://127.0.0.1:{closed_port}", RASA_TOKEN, lambda r: r.conversation_turns("a"))
