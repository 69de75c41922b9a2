"""Two Rasa processes behind a load balancer get the same retried delivery: with LOCK_STORE_URL
naming Redis it is handed to Rasa once in all; without, once per process (the control)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import redis

from tests.addons.socketio_client import free_port

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = "process-test-secret"


@contextmanager
def start_servers(env: dict[str, str], record: Path, count: int = 2) -> Iterator[list[int]]:
    """`count` messaging servers (tests/addons/messaging_server.py) recording to `record`."""
    ports = [free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own test server
            [sys.executable, "-m", "tests.addons.messaging_server", str(port), str(record)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/webhooks/telegram/", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LOCK_STORE_URL"}
    return {
        **env,
        "APP_ENV": "test",
        "TELEGRAM_BOT_TOKEN": "process-test-token",
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_URL": "http://127.0.0.1:9",  # replies go nowhere; only hand-overs count
        **extra,
    }


def deliver_to_both(ports: list[int], times: int) -> None:
    """The same Telegram update, `times` times to each process, all at once."""
    update = {
        "update_id": int(uuid.uuid4().int % 10**9),
        "message": {
            "message_id": 1,
            "date": 1,
            "text": "what do I owe?",
            "from": {"id": 42, "is_bot": False, "first_name": "Ana"},
            "chat": {"id": 42, "type": "private"},
        },
    }

    def post(port: int) -> int:
        return httpx.post(
            f"http://127.0.0.1:{port}/webhooks/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=2 * times) as pool:
        statuses = list(pool.map(post, ports * times))
    assert statuses == [200] * (2 * times)


def handed_over(record: Path) -> list[dict[str, object]]:
    time.sleep(1.5)  # hand-overs run in the background after the 200
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_with_redis_a_delivery_retried_across_processes_reaches_rasa_once(tmp_path: Path) -> None:
    redis.Redis.from_url(REDIS_URL).ping()  # Redis runs on this machine (see ARCHITECTURE.md)
    record = tmp_path / "handed_over.jsonl"
    with start_servers(environment(LOCK_STORE_URL=REDIS_URL), record) as ports:
        deliver_to_both(ports, times=3)
        handed = handed_over(record)
        assert len(handed) == 1, handed
        assert handed[0]["sender"] == "telegram-42"


def test_without_redis_each_process_remembers_only_its_own(tmp_path: Path) -> None:
    record = tmp_path / "handed_over.jsonl"
    with start_servers(environment(), record) as ports:
        deliver_to_both(ports, times=3)
        handed = handed_over(record)
        assert sorted(h["port"] for h in handed) == sorted(ports)  # once per process
