"""Starts the real product (back end, action server, Rasa) on spare loopback ports."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from scripts.managed_process import ManagedProcess
from scripts.run_all import services
from tests.e2e.fake_platform import FakePlatform
from tests.e2e.processes import (
    RASA_TOKEN,
    ROOT,
    SERVICE_TOKEN,
    prepare_billing_database,
    product_env,
    wait_for,
)

__all__ = ["RASA_TOKEN", "ROOT", "SERVICE_TOKEN"]  # the tests import them from here too

# E2E_MODEL: a model trained elsewhere (a helper's experiment); the shared one by default.
MODEL = Path(os.environ.get("E2E_MODEL") or ROOT / "models" / "billing.tar.gz")
START_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    workdir: Path
    env: dict[str, str]
    backend_url: str
    rasa_url: str
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    # The messaging platforms' APIs the channels send to (tests/e2e/fake_platform.py).
    platform: FakePlatform | None = None

    def chat(self, sender: str, text: str) -> list[str]:
        """Send one message over the REST channel and return the bot's texts."""
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return [message.get("text", "") for message in response.json()]

    def logs(self) -> str:
        return "\n".join(process.log() for process in self.processes.values())


def wait_until(url: str, process: ManagedProcess, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.popen is not None
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited early:\n{process.log()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"{process.name} did not start within {timeout_s}s:\n{process.log()[-3000:]}"
    )


def wait_for_model(stack: Stack, timeout_s: float = START_TIMEOUT_S) -> None:
    """Rasa answers HTTP before its model is loaded; a first real message tells it is ready."""
    wait_for(lambda: bool(stack.chat("readiness-probe", "hi")), "Rasa's model", timeout_s, 1)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        raise RuntimeError("no trained model: run `make model` (make test does it)")
    workdir = tmp_path_factory.mktemp("stack")
    platform = FakePlatform().start()
    backend_port, action_port, rasa_port = free_port(), free_port(), free_port()
    backend_url = f"http://127.0.0.1:{backend_port}"
    env = product_env(
        MODEL,
        DATABASE_URL=f"sqlite:///{workdir / 'billing.db'}",
        TRACKER_DB_URL=f"sqlite:///{workdir / 'conversations.db'}",
        BACKEND_PORT=str(backend_port),
        ACTION_PORT=str(action_port),
        RASA_PORT=str(rasa_port),
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        BACKEND_URL=backend_url,
        RASA_URL=f"http://127.0.0.1:{rasa_port}",
        RASA_CORS_ORIGIN=backend_url,
        RASA_PUBLIC_URL=f"http://127.0.0.1:{rasa_port}",
        DESK_QUEUE_UPDATE_SECONDS="5",
        # Waits are unit-tested; here a customer is always queued, never offered a callback.
        DESK_CALLBACK_ABOVE_SECONDS="86400",
        **platform.env(),
    )
    prepare_billing_database(env)
    stack = Stack(workdir, env, backend_url, f"http://127.0.0.1:{rasa_port}", platform=platform)
    stack.processes = {
        service.name: ManagedProcess(service.name, service.command, workdir / f"{service.name}.log")
        for service in services(env)
    }
    for process in stack.processes.values():
        process.start(env)
    try:
        wait_until(f"{stack.backend_url}/health", stack.processes["backend"])
        wait_until(f"http://127.0.0.1:{action_port}/health", stack.processes["actions"])
        wait_until(f"{stack.rasa_url}/", stack.processes["rasa"])
        wait_for_model(stack)
        yield stack
    finally:
        for process in stack.processes.values():
            process.stop()
        platform.stop()


@pytest.fixture
def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"
