"""The input rule at both channels, on a real Sanic app with Rasa's channel registration, over HTTP.

A message over `MAX_MESSAGE_CHARS` gets a short answer and never reaches Rasa (the server's
handler stands in for Rasa's `agent.handle_message`), a body that is not a message is a 400 with a
JSON error, and the client's address is in the metadata, from `X-Forwarded-For` only behind a
trusted proxy.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from addons.channels import FAILURE_REPLY
from addons.incoming import NOT_TEXT_REPLY
from tests.addons.socketio_client import Browser, free_port

ROOT = Path(__file__).resolve().parents[2]

TOO_LONG = "That message is too long for me: please send up to 2,000 characters, or split it."
HUGE = "why is my bill so high " * 4400  # 101,200 characters: the message that once killed Rasa


class Server:
    """The channels in their own process (tests/addons/channels_server.py), driven over HTTP."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own test server
            [sys.executable, "-m", "tests.addons.channels_server", str(self.port)],
            cwd=ROOT,
            env={**os.environ, "MAX_MESSAGE_CHARS": "", "TRUSTED_PROXIES": ""},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/test/received", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the channels server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def setenv(self, **values: str | None) -> None:
        httpx.post(f"{self.url}/test/env", json=values, timeout=5).raise_for_status()

    def state(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.url}/test/received", timeout=5).json())

    @property
    def received(self) -> list[dict[str, Any]]:
        return list(self.state()["received"])

    @property
    def logs(self) -> str:
        return str(self.state()["logs"])


@pytest.fixture(scope="module")
def running_server() -> Iterator[Server]:
    running = Server()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def server(running_server: Server) -> Server:
    running_server.setenv(MAX_MESSAGE_CHARS=None, TRUSTED_PROXIES=None)
    httpx.delete(f"{running_server.url}/test/received", timeout=5).raise_for_status()
    return running_server


async def post(server: Server, body: Any, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(f"{server.url}/webhooks/rest/webhook", json=body, **kwargs)


async def test_a_message_reaches_rasa_with_the_client_address(server: Server) -> None:
    reply = await post(
        server,
        {"sender": "ana", "message": "hi", "metadata": {"client_address": "6.6.6.6", "x": 1}},
    )
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": "ana", "text": "echo 2"}]
    (message,) = server.received
    assert (message["sender"], message["text"], message["input_channel"]) == ("ana", "hi", "rest")
    # The client cannot choose its own address.
    assert message["metadata"] == {"x": 1, "client_address": "127.0.0.1"}


async def test_a_message_over_the_cap_is_refused_politely_before_rasa(server: Server) -> None:
    at_cap = await post(server, {"sender": "ana", "message": "a" * 2000})
    assert at_cap.json() == [{"recipient_id": "ana", "text": "echo 2000"}]
    over = await post(server, {"sender": "ana", "message": "secret 1985-03-14 " + "b" * 2000})
    assert over.status_code == 200
    assert over.json() == [{"recipient_id": "ana", "text": TOO_LONG}]
    assert [len(message["text"]) for message in server.received] == [2000]
    logs = server.logs
    assert "rest.message.too_long" in logs  # the refusal is logged, the message is not
    assert "1985-03-14" not in logs
    assert "bbbb" not in logs


async def test_the_cap_is_configurable_and_can_be_switched_off(server: Server) -> None:
    server.setenv(MAX_MESSAGE_CHARS="10")
    reply = await post(server, {"sender": "ana", "message": "eleven char"})
    assert reply.json()[0]["text"].startswith(
        "That message is too long for me: please send up to 10 "
    )
    server.setenv(MAX_MESSAGE_CHARS="0")
    reply = await post(server, {"sender": "ana", "message": HUGE})
    assert reply.json() == [{"recipient_id": "ana", "text": f"echo {len(HUGE.strip())}"}]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sender": "x", "message": 12345}, "message_not_a_string"),
        ({"sender": "x", "message": ["why", "is"]}, "message_not_a_string"),
        ({"sender": "x", "message": None}, "message_not_a_string"),
        ({"sender": "x", "message": {"text": "hi"}}, "message_not_a_string"),
        ({"sender": "x"}, "message_not_a_string"),
        ({"message": "hi"}, "sender_missing"),
        ({"sender": 7, "message": "hi"}, "sender_missing"),
        ({"sender": "  ", "message": "hi"}, "sender_missing"),
        ({"sender": "x", "message": "hi", "metadata": "lang=en"}, "metadata_not_an_object"),
        (["x", "hi"], "body_not_an_object"),
        ("hi", "body_not_an_object"),
        (None, "body_not_an_object"),
    ],
)
async def test_a_body_that_is_not_a_message_is_a_400_with_a_json_error(
    server: Server, body: Any, code: str
) -> None:
    reply = await post(server, body)
    assert reply.status_code == 400
    assert reply.json()["error"] == code
    assert reply.json()["detail"]
    assert server.received == []


async def test_a_body_that_is_not_json_is_a_400(server: Server) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        reply = await client.post(f"{server.url}/webhooks/rest/webhook", content=b"{not json")
    assert (reply.status_code, reply.json()["error"]) == (400, "body_not_json")


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(server: Server) -> None:
    headers = {"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}
    await post(server, {"sender": "a", "message": "hi"}, headers=headers)
    server.setenv(TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    await post(server, {"sender": "a", "message": "hi"}, headers=headers)
    # A spoofed first hop is not believed: the nearest untrusted hop is the client.
    await post(
        server, {"sender": "a", "message": "hi"}, headers={"X-Forwarded-For": "1.1.1.1, 8.8.8.8"}
    )
    addresses = [message["metadata"]["client_address"] for message in server.received]
    assert addresses == ["127.0.0.1", "203.0.113.9", "8.8.8.8"]


async def test_a_failure_while_handling_gets_an_apology_not_silence(server: Server) -> None:
    reply = await post(server, {"sender": "ana", "message": "fail please"})
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": "ana", "text": FAILURE_REPLY}]
    logs = server.logs
    assert "rest.message.failed" in logs
    assert "fail please" not in logs


async def test_socketio_refuses_long_and_non_text_messages_with_an_answer(server: Server) -> None:
    browser = Browser()
    session_id = await browser.open(server.port, None)
    await browser.say(session_id, "hello")
    assert (await browser.reply())["text"] == "echo 5"
    await browser.say(session_id, "c" * 2001)
    assert (await browser.reply())["text"] == TOO_LONG
    for odd in (12345, ["a", "b"], None, {"text": "hi"}):
        await browser.client.emit("user_uttered", {"message": odd, "session_id": session_id})
        assert (await browser.reply())["text"] == NOT_TEXT_REPLY
    await asyncio.sleep(0.2)
    (message,) = server.received
    assert message["metadata"] == {"language": "en", "client_address": "127.0.0.1"}
    await browser.close()


@pytest.mark.parametrize("sender", ["telegram-1111111", "whatsapp-1065-38640111222", "Slack-D1-U2"])
async def test_rest_cannot_write_to_a_messaging_conversation(server: Server, sender: str) -> None:
    """A REST client picks its own sender: not one a messaging channel's signed webhook owns
    (their ids come from platform ids anybody can learn), else it would read that customer's
    verified conversation."""
    reply = await post(server, {"sender": sender, "message": "what is my balance?"})
    assert reply.status_code == 400
    assert reply.json()["error"] == "sender_reserved"
    assert server.received == []


async def test_rest_cannot_claim_a_messaging_input_channel(server: Server) -> None:
    """Agents' replies go out through the latest input channel: a REST client naming Telegram
    would have them sent to a Telegram chat named by its sender."""
    for claimed in ("telegram", "WhatsApp"):
        reply = await post(server, {"sender": "ana", "message": "hi", "input_channel": claimed})
        assert reply.status_code == 200
    assert [m["input_channel"] for m in server.received] == ["rest", "rest"]
