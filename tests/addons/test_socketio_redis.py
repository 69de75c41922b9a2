"""Several Rasa processes behind a load balancer: with SOCKETIO_REDIS_URL, a message sent by one
process (an agent's reply through Rasa's API) reaches a browser connected to another."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.addons.socketio_client import Browser, free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def start(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own test server
        [sys.executable, "-m", "tests.addons.socketio_server", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the socket.io server on {port} did not start")


@pytest.fixture(scope="module")
def two_processes() -> Iterator[tuple[int, int]]:
    redis.Redis.from_url(REDIS_URL).ping()  # Redis runs on this machine (see ARCHITECTURE.md)
    env = {**os.environ, "SOCKETIO_REDIS_URL": REDIS_URL}
    ports = free_port(), free_port()
    processes = [start(port, env) for port in ports]
    try:
        for port in ports:
            wait_until_up(port)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


async def test_a_reply_sent_by_another_process_reaches_the_browser(
    two_processes: tuple[int, int],
) -> None:
    browser_side, other_side = two_processes
    browser = Browser()
    session_id = await browser.open(browser_side, None)
    await asyncio.sleep(0.5)  # the room join is published through Redis
    async with httpx.AsyncClient() as client:
        sent = await client.post(
            f"http://127.0.0.1:{other_side}/send",
            json={"session_id": session_id, "text": "Maria (billing team): hello"},
        )
    assert sent.status_code == 200
    assert (await browser.reply())["text"] == "Maria (billing team): hello"
    await browser.close()


async def test_without_redis_another_process_cannot_reach_the_browser() -> None:
    """The control: the same two processes without the Redis manager do not share rooms."""
    env = {k: v for k, v in os.environ.items() if k != "SOCKETIO_REDIS_URL"}
    ports = free_port(), free_port()
    processes = [start(port, env) for port in ports]
    try:
        for port in ports:
            wait_until_up(port)
        browser = Browser()
        session_id = await browser.open(ports[0], None)
        async with httpx.AsyncClient() as client:
            await client.post(
                f"http://127.0.0.1:{ports[1]}/send", json={"session_id": session_id, "text": "x"}
            )
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(browser.replies.get(), 2)
        await browser.close()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
