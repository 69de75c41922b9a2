"""Logging configured in one place: console or JSON lines, events and ids only.

Modules log an event name plus whitelisted ids, never personal or account data:

    logger.info("verification.failed", extra={"conversation_id": conversation_id})

Anything passed in `extra` under a key not in `SAFE_FIELDS` is dropped by the formatters, so a
slip cannot put a name, a date of birth or a token into the logs. Messages and exception texts
(ours and every library's) go through `privacy.logs`: conversation dumps dropped, card details,
dates and postcodes masked.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Final

from privacy.logs import PrivateLogFilter, install_private_log_filter

SAFE_FIELDS: Final = frozenset(
    {
        "conversation_id",
        "account_id",
        "action",
        "invoice_id",
        "outcome",
        "method",
        "route",
        "status_code",
        "duration_ms",
        "customers",
        "rows",
        "seconds",
        "revision",
        "error_type",
        "ticket_id",
        "agent_id",
    }
)
_HANDLER_NAME: Final = "bot"


def _safe_fields(record: logging.LogRecord) -> dict[str, object]:
    return {key: value for key, value in vars(record).items() if key in SAFE_FIELDS}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and the safe fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **_safe_fields(record),
        }
        if record.exc_info and record.exc_info[0] is not None:
            payload["error_type"] = record.exc_info[0].__name__  # else set by the private filter
        return json.dumps(payload, default=str)


class ConsoleFormatter(logging.Formatter):
    """`time level logger event key=value ...` for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        fields = " ".join(f"{key}={value}" for key, value in sorted(_safe_fields(record).items()))
        line = f"{stamp} {record.levelname:<7} {record.name} {record.getMessage()} {fields}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:  # the private filter's masked traceback
            line += "\n" + record.exc_text
        return line.rstrip()


def configure_logging(log_format: str = "console", level: str = "INFO") -> None:
    """Install our handler on the root logger; calling it again replaces it (no duplicates)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if log_format == "json" else ConsoleFormatter())
    handler.addFilter(PrivateLogFilter())
    install_private_log_filter()
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
