"""The real action server (`python -m addons.rasa_server run actions`) on a loopback port.

It answers `/webhook` only with ACTION_SERVER_TOKEN (401 otherwise), keeps `/health` open, and
listens on 127.0.0.1 by default; Rasa's own endpoint client, configured by endpoints.yml, gets in.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa.utils.endpoints import ClientResponseError, read_endpoint_config

from tests.listening import listening_addresses

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "action-server-test-token-0123456789abcdef"
START_TIMEOUT_S = 180


@dataclass(frozen=True)
class ActionServer:
    url: str
    port: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def action_call(sender: str = "auth-test") -> dict[str, Any]:
    """A session start, which needs nothing from the back end to answer (it is down here)."""
    return {
        "next_action": "action_session_start",
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    port = free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    dropped = {"ACTION_HOST", "SANIC_HOST", "ACTION_SERVER_TOKEN", "BACKEND_SERVICE_TOKEN"}
    env = {name: value for name, value in os.environ.items() if name not in dropped}
    env.update(
        APP_ENV="development",
        ACTION_SERVER_TOKEN=TOKEN,
        BACKEND_URL=f"http://127.0.0.1:{free_port()}",  # nothing listens: the back end is down
        BACKEND_CONNECT_TIMEOUT="0.5",
        PYTHONWARNINGS="ignore",
    )
    command = [sys.executable, "-m", "addons.rasa_server", "run", "actions"]
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [*command, "--port", str(port), "--actions", "actions"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the action server exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no action server after {START_TIMEOUT_S} s")
            time.sleep(0.5)
        yield ActionServer(url, port)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_it_listens_on_loopback_only(action_server: ActionServer) -> None:
    assert listening_addresses(action_server.port) == {"127.0.0.1"}


def test_health_stays_open(action_server: ActionServer) -> None:
    response = httpx.get(f"{action_server.url}/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({}, {}),
        ({"Authorization": "Bearer wrong-token-0123456789abcdef0123456789"}, {}),
        ({"Authorization": f"Bearer {TOKEN}x"}, {}),
        ({"Authorization": TOKEN}, {}),  # the scheme is part of the secret's form
        ({}, {"token": TOKEN}),  # only the header counts, never a URL
    ],
    ids=["none", "wrong", "longer", "no-scheme", "query-parameter"],
)
def test_webhook_without_the_token_is_401(
    action_server: ActionServer, headers: dict[str, str], params: dict[str, str]
) -> None:
    response = httpx.post(
        f"{action_server.url}/webhook", json=action_call(), headers=headers, params=params
    )
    assert response.status_code == 401
    assert response.json() == {"error": "missing or wrong token"}


def test_the_action_list_needs_the_token_too(action_server: ActionServer) -> None:
    assert httpx.get(f"{action_server.url}/actions", timeout=5).status_code == 401


def test_webhook_with_the_token_runs_the_action(action_server: ActionServer) -> None:
    response = httpx.post(
        f"{action_server.url}/webhook",
        json=action_call(),
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    events = [event["event"] for event in response.json()["events"]]
    assert events == ["session_started", "action"]


def endpoints_env(monkeypatch: pytest.MonkeyPatch, url: str, token: str) -> None:
    for name, value in {
        "ACTION_ENDPOINT_URL": f"{url}/webhook",
        "ACTION_SERVER_TOKEN": token,
        "TRACKER_DB_URL": "sqlite://",
        "BACKEND_URL": "http://127.0.0.1:1",
        "BACKEND_SERVICE_TOKEN": "unused",
    }.items():
        monkeypatch.setenv(name, value)


async def test_rasa_sends_the_token_endpoints_yml_names(
    action_server: ActionServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa's own client, configured from endpoints.yml as `rasa run` reads it."""
    endpoints_env(monkeypatch, action_server.url, TOKEN)
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint is not None
    answer = await endpoint.request(json=action_call("rasa-client"), method="post")
    assert [event["event"] for event in answer["events"]] == ["session_started", "action"]

    endpoints_env(monkeypatch, action_server.url, "another-token-0123456789abcdef012345")
    wrong = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert wrong is not None
    with pytest.raises(ClientResponseError) as raised:
        await wrong.request(json=action_call("rasa-client"), method="post")
    assert raised.value.status == 401
