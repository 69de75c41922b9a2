"""The Rasa processes' logs carry no conversation: exception logs never show local variables,
a tracker dumped by a failing action (or anywhere else) is dropped, structured logs lose their
conversation fields, and secrets left in any other message are masked."""

from __future__ import annotations

import contextlib
import io
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import structlog
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from addons.private_logging import configure_private_structlog, install_private_log_filter
from privacy.logs import DUMP_NOTICE
from tests.addons.test_backend_event_broker import free_port

SECRET = "my date of birth is 14 March 1985"


def fail_with_a_secret_in_a_local() -> None:
    message = SECRET  # noqa: F841 - the local variable a traceback with locals would print
    raise ValueError("the action server is down")


def log_failure() -> None:
    logger = structlog.get_logger("test")
    try:
        fail_with_a_secret_in_a_local()
    except ValueError:
        logger.error("processor.failed", exc_info=True)


@pytest.mark.parametrize("terminal", [False, True], ids=["json", "console"])
def test_tracebacks_show_frames_but_no_locals(
    terminal: bool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    structlog.reset_defaults()
    configure_private_structlog()
    log_failure()
    out = "\n".join(record.getMessage() for record in caplog.records)
    assert "processor.failed" in out
    assert "fail_with_a_secret_in_a_local" in out  # the frames are still there
    assert "the action server is down" in out
    assert "14 March 1985" not in out
    structlog.reset_defaults()


# --- the log filter (privacy/logs.py) on Rasa's own loggers --------------------------------------

CUSTOMER_TEXT = (
    "my date of birth is 14 March 1985 and my postcode is 7071, card 4628.1948.2199.3511"
)
CUSTOMER_SECRETS = ["14 March 1985", "7071", "4628", "date of birth"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def private_log_filter() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    install_private_log_filter()
    yield
    logging.setLogRecordFactory(factory)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What Rasa's root handler would print (format as Rasa's `basicConfig`, plus the logger)."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield output
    root.removeHandler(handler)


@pytest.fixture(scope="module")
def failing_action_server() -> Iterator[str]:
    """A real rasa_sdk action server whose one action raises: it answers 500 with the tracker."""
    port = free_port()
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "tests.addons.failing_actions"]
    server = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
        [*command, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.3)
        else:
            raise AssertionError("the action server did not start")
        yield f"{url}/webhook"
    finally:
        server.terminate()
        server.wait(timeout=10)


async def fail_a_remote_action(webhook: str) -> None:
    """Run a custom action against the failing action server and log the failure exactly as
    Rasa's MessageProcessor._run_action does."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events(
        "conv-1",
        [ActionExecuted("action_listen"), UserUttered(CUSTOMER_TEXT, {"name": "ask_balance"})],
    )
    action = RemoteAction("action_fail", EndpointConfig(webhook))
    try:
        await action.run(
            CollectingOutputChannel(),
            TemplatedNaturalLanguageGenerator(domain.responses),
            tracker,
            domain,
        )
    except Exception:
        logging.getLogger("rasa.core.processor").exception(
            f"Encountered an exception while running action '{action.name()}'."
            "Bot will continue, but the actions events are lost. "
            "Please check the logs of your action server for "
            "more information."
        )
    else:
        raise AssertionError("the action server was expected to answer 500")


async def test_without_the_filter_the_500_puts_the_tracker_in_the_log(
    failing_action_server: str, log_output: io.StringIO
) -> None:
    await fail_a_remote_action(failing_action_server)
    assert "14 March 1985" in log_output.getvalue()  # the leak this filter exists for


async def test_a_500_from_the_action_server_logs_no_customer_text(
    failing_action_server: str, private_log_filter: None, log_output: io.StringIO
) -> None:
    await fail_a_remote_action(failing_action_server)
    out = log_output.getvalue()
    assert "Encountered an exception while running action 'action_fail'" in out
    assert "ClientResponseError" in out  # the failure is still visible, with its frames
    assert "Failed to execute custom action 'action_fail'" in out  # a text without the dump
    assert "request_body" not in out
    for secret in CUSTOMER_SECRETS:
        assert secret not in out


def test_a_tracker_dump_in_a_message_is_dropped(
    private_log_filter: None, log_output: io.StringIO
) -> None:
    tracker = DialogueStateTracker.from_events("c", [UserUttered(CUSTOMER_TEXT)])
    logging.getLogger("rasa_sdk.executor").warning("tracker: %s", tracker.current_state())
    logging.getLogger("rasa.core.processor").debug("%s", UserUttered(CUSTOMER_TEXT))
    out = log_output.getvalue()
    assert DUMP_NOTICE in out
    for secret in CUSTOMER_SECRETS:
        assert secret not in out


def test_secrets_in_other_messages_are_masked(
    private_log_filter: None, log_output: io.StringIO
) -> None:
    logger = logging.getLogger("rasa.core.channels")
    logger.error("could not parse %s for %s", "born 14-Jul-1961", "conv-1")
    logger.error("port %d, account %s", 5005, "990700")
    out = log_output.getvalue()
    assert "could not parse born [date removed] for conv-1" in out
    assert "port 5005, account 990700" in out


def test_structured_logs_lose_conversation_fields(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    caplog.set_level(logging.DEBUG)
    structlog.reset_defaults()
    configure_private_structlog(logging.DEBUG)
    logger = structlog.get_logger("test")
    logger.debug("processor.slots.log", slot_values={"postcode": "7071"}, text=CUSTOMER_TEXT)
    logger.debug("processor.note", note="born 14-Jul-1961", conversation_id="conv-1")
    out = "\n".join(record.getMessage() for record in caplog.records)
    assert "processor.slots.log" in out
    assert "conv-1" in out
    for secret in [*CUSTOMER_SECRETS, "14-Jul-1961"]:
        assert secret not in out
    structlog.reset_defaults()
