"""Exception logs of the Rasa processes never show local variables (they hold customer text)."""

from __future__ import annotations

import sys

import pytest
import structlog

from addons.private_logging import configure_private_structlog

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
