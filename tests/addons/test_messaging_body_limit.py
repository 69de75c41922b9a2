"""A webhook body over 256 KB is refused before it is read (the route streams its body; Sanic
would otherwise read up to 100 MB first), and a 2000-character chat message still gets through.

A real Sanic process with the messaging channels (tests/addons/messaging_server.py); the
oversized requests are written by hand on a socket, so the test sees whether the server answers
while most of the body has not even been sent.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.addons.test_messaging_processes import (
    SECRET,
    environment,
    handed_over,
    start_servers,
)

PATH = "/webhooks/telegram/webhook"
ANSWER_WITHIN_S = 5.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    record = tmp_path_factory.mktemp("body-limit") / "handed_over.jsonl"
    with start_servers(environment(), record, count=1) as (port,):
        yield port, record


def headers(port: int, framing: str) -> bytes:
    return (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n{framing}\r\n\r\n"
    ).encode()


def status_line(sock: socket.socket) -> str:
    """The first line the server answers, within ANSWER_WITHIN_S (else the test fails)."""
    sock.settimeout(ANSWER_WITHIN_S)
    answer = b""
    while b"\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def test_a_declared_50_mb_body_is_refused_unread(server: tuple[int, Path]) -> None:
    port, _ = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(headers(port, "Content-Length: 50000000") + b'{"update_id": 1')
        # Only 15 of the 50,000,000 bytes were sent: the answer comes without waiting for them.
        assert status_line(sock).startswith("HTTP/1.1 413 ")


def test_a_chunked_body_is_refused_once_it_passes_256_kb(server: tuple[int, Path]) -> None:
    port, _ = server
    chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * (64 * 1024))
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(headers(port, "Transfer-Encoding: chunked") + chunk * 5)  # 320 KB, no end
        assert status_line(sock).startswith("HTTP/1.1 413 ")


def test_a_2000_character_message_still_reaches_rasa(server: tuple[int, Path]) -> None:
    port, record = server
    text = ("why is my bill so high " * 100)[:2000]
    update = {
        "update_id": int(uuid.uuid4().int % 10**9),
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "text": text,
            "from": {"id": 4242, "is_bot": False, "first_name": "Ana"},
            "chat": {"id": 4242, "type": "private"},
        },
    }
    answer = httpx.post(
        f"http://127.0.0.1:{port}{PATH}",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert [line["text"] for line in handed_over(record)] == [text.strip()]
