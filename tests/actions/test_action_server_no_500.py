"""Through a real rasa-sdk action server serving `actions/`, over HTTP, with a back end on a real
socket: an action that meets an answer it did not expect (a KeyError in its body, a 422) still
answers Rasa 200 with the apology, never 500 with the tracker, and nothing the customer typed
reaches the action server's log."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from tests.actions.english import INVALID_REQUEST, OFFER_HUMAN_BUTTONS, SOMETHING_WENT_WRONG

ROOT = Path(__file__).resolve().parents[2]
SECRET = "born 14.07.1961 postcode 7071"  # what the customer typed, in every tracker below
VERIFIED = {
    "verified": True,
    "verification_locked": False,
    "verified_account_number": "100001",
    "customer_first_name": "Ana",
    "account_number": "100001",
}
DOMAIN = {"forms": {"step_up_form": {"required_slots": ["step_up_channel", "step_up_code"]}}}


class FakeBackend(BaseHTTPRequestHandler):
    """Answers from `answers` ("GET /path" -> (status, body)); anything else is 404."""

    answers: ClassVar[dict[str, tuple[int, Any]]] = {}

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status, body = self.answers.get(
            f"{self.command} {self.path.split('?')[0]}",
            (404, {"error": {"code": "not_found", "message": "not found"}}),
        )
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # http.server calls these by name
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, *args: Any) -> None:  # quiet
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def backend() -> Iterator[type[FakeBackend]]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeBackend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeBackend.port = server.server_address[1]  # type: ignore[attr-defined]
    try:
        yield FakeBackend
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def action_server(
    backend: type[FakeBackend], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """`python -m rasa_sdk --actions actions`, as `make run` starts it; its log goes to a file."""
    port, log = free_port(), tmp_path_factory.mktemp("action-server") / "log.txt"
    env = {
        **os.environ,
        "APP_ENV": "development",
        "BACKEND_URL": f"http://127.0.0.1:{backend.port}",  # type: ignore[attr-defined]
        "BACKEND_SERVICE_TOKEN": "dev-service-token",
    }
    env.pop("ACTION_SERVER_TOKEN", None)
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
            [*command, "-v"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            assert server.poll() is None, log.read_text()
            time.sleep(0.3)
        else:
            raise AssertionError("the action server did not start")
        yield f"{url}/webhook", log
    finally:
        server.terminate()
        server.wait(timeout=10)


def action_call(
    action: str,
    intent: str,
    slots: dict[str, Any],
    entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> dict[str, Any]:
    message = {
        "text": SECRET,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
    }
    return {
        "next_action": action,
        "sender_id": "conv-1",
        "version": "3.6.21",
        "domain": DOMAIN,
        "tracker": {
            "sender_id": "conv-1",
            "slots": slots,
            "latest_message": message,
            "events": [{"event": "user", "text": SECRET, "parse_data": message}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        },
    }


def call(webhook: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(webhook, json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert SECRET not in answer.text
    return dict(answer.json())


def bad_answer(status: int, code: str) -> tuple[int, Any]:
    return status, {"error": {"code": code, "message": code}}


def test_a_key_error_in_an_action_s_body_is_an_apology_not_a_500(
    backend: type[FakeBackend], action_server: tuple[str, Path]
) -> None:
    webhook, log = action_server
    backend.answers = {"GET /api/v1/accounts/100001/balance": (200, {"currency": "EUR"})}
    reply = call(webhook, action_call("action_tell_balance", "ask_balance", VERIFIED))
    texts = [(r.get("text"), r.get("buttons")) for r in reply["responses"]]
    assert texts == [(SOMETHING_WENT_WRONG, OFFER_HUMAN_BUTTONS)]
    assert reply["events"] == []
    assert SECRET not in log.read_text()


def test_a_422_for_an_odd_month_is_answered(
    backend: type[FakeBackend], action_server: tuple[str, Path]
) -> None:
    webhook, log = action_server
    backend.answers = {"GET /api/v1/accounts/100001/invoices": bad_answer(422, "invalid_request")}
    body = action_call(
        "action_explain_invoice",
        "explain_bill",
        VERIFIED,
        entities=[{"entity": "month", "value": "9999-12"}],
    )
    reply = call(webhook, body)
    assert [r.get("text") for r in reply["responses"]] == [INVALID_REQUEST]
    assert SECRET not in log.read_text()


def test_a_failing_form_validation_ends_the_form_and_listens(
    backend: type[FakeBackend], action_server: tuple[str, Path]
) -> None:
    webhook, log = action_server
    # The code check answers 200 without a status: the form's validation meets a KeyError.
    backend.answers = {"POST /api/v1/accounts/100001/step-up/verify": (200, {"attempts_left": 1})}
    slots = {
        **VERIFIED,
        "requested_slot": "step_up_code",
        "step_up_channel": "m***@example.com",
        "step_up_code": None,
        "stepped_up": False,
        "pending_operation": "credit|17|",
        "awaiting_confirmation": True,
    }
    body = action_call("validate_step_up_form", "provide_verification_info", slots)
    body["tracker"]["latest_message"]["text"] = "123 456"
    reply = call(webhook, body)
    assert [r.get("text") for r in reply["responses"]] == [SOMETHING_WENT_WRONG]
    assert reply["events"] == [
        {"event": "slot", "timestamp": None, "name": "step_up_channel", "value": None},
        {"event": "slot", "timestamp": None, "name": "step_up_code", "value": None},
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None},
        {"event": "active_loop", "timestamp": None, "name": None},
        {"event": "followup", "timestamp": None, "name": "action_listen"},
    ]
    logged = log.read_text()
    assert "action.failed" in logged
    assert SECRET not in logged
    assert "123 456" not in logged


def test_every_action_the_server_registers_is_guarded() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert len(executor.actions) >= 30
    unguarded = [name for name, run in executor.actions.items() if not hasattr(run, "__guarded__")]
    assert unguarded == []
