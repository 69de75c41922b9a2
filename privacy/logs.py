"""A logging filter that keeps conversations out of the logs, for every process of the product.

Rasa logs whole trackers in places we do not control: when the action server answers 500, its
reply (rasa_sdk echoes the request: the tracker, with everything the customer typed) becomes the
text of the `ClientResponseError` that Rasa logs with `logger.exception`; debug logs print events
and slot values. `PrivateLogFilter`:

* drops a conversation dump: a message that carries one is replaced by a fixed notice (the logger
  and level stay, so the failure is still seen); an exception that carries one keeps its frames
  and exception types, not its text;
* masks (`privacy.masking.mask`) the message and exception text of every other record, for what
  still gets through (a date or a card number in an error message).

`drop_conversation_fields` does the same for structured logs (structlog), field by field, before
they are rendered. `install_private_log_filter()` runs the filter on every record the process
creates, through the log record factory: a filter on a handler would miss the handlers Rasa,
Sanic and uvicorn add later, and records of child loggers.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable
from typing import Any, Final

from privacy.masking import mask

DUMP_NOTICE: Final = "[log message removed: it held conversation data]"
EXCEPTION_NOTICE: Final = "[exception text removed: it held conversation data]"
# Keys and reprs that only a tracker, an event or a parsed message carries.
_DUMP = re.compile(
    r"""["'](?:request_body|latest_message|parse_data|tracker|events|slots|tracker_state|"""
    r"""user_text|text|user_message|input_channel)["']\s*:"""
    r"""|\b(?:UserUttered|BotUttered|SlotSet|DialogueStateTracker)\(""",
)
_SCRUBBED: Final = "_private_log_scrubbed"
# Structured-log fields that hold what the customer typed or what the bot knows of them: Rasa's
# own list of fields to anonymise (rasa/utils/log_utils.py), plus whole trackers and events.
CONVERSATION_FIELDS: Final = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "entities",
        "token_text",
        "user_message",
        "json_message",
        "tracker",
        "events",
        "slots",
        "request_body",
        "metadata",
    }
)
REMOVED: Final = "[removed]"


def holds_conversation(text: str) -> bool:
    """Whether a log text carries a tracker, an event or a parsed message."""
    return _DUMP.search(text) is not None


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the format: keep the format
        return str(record.msg)


def _exception_chain(error: BaseException | None) -> list[BaseException]:
    chain: list[BaseException] = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return list(reversed(chain))


def _frames_only(error: BaseException) -> str:
    """The traceback of `error` and its causes; an exception text that holds a dump is dropped."""
    parts: list[str] = []
    for link in _exception_chain(error):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        text = str(link)
        text = EXCEPTION_NOTICE if holds_conversation(text) else mask(text)
        parts.append(f"{type(link).__module__}.{type(link).__qualname__}: {text}\n")
    return "".join(parts).rstrip()


def _exception_text(record: logging.LogRecord) -> str | None:
    if record.exc_text:
        return record.exc_text
    if record.exc_info and record.exc_info[1] is not None:
        return logging.Formatter().formatException(record.exc_info)
    return None


def _scrub_message(record: logging.LogRecord) -> None:
    message = _message(record)
    if holds_conversation(message):
        record.msg, record.args = DUMP_NOTICE, None
        return
    clean = mask(message)
    if clean == message:
        return  # untouched, arguments included (some formatters read them)
    if isinstance(record.args, tuple):
        record.args = tuple(mask(arg) if isinstance(arg, str) else arg for arg in record.args)
        if _message(record) == clean:
            return
    record.msg, record.args = clean, None


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """The record with conversation dumps dropped and every other text masked (in place)."""
    if getattr(record, _SCRUBBED, False):
        return record
    _scrub_message(record)
    exception = _exception_text(record)
    if exception is not None:
        error = record.exc_info[1] if record.exc_info else None
        if holds_conversation(exception):
            exception = _frames_only(error) if error is not None else EXCEPTION_NOTICE
        if error is not None and not hasattr(record, "error_type"):
            record.error_type = type(error).__name__
        record.exc_text = mask(exception)
        record.exc_info = None  # formatters print exc_text, never the live exception again
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    setattr(record, _SCRUBBED, True)
    return record


def drop_conversation_fields(
    _logger: object, _method: str, event_dict: dict[str, Any]
) -> dict[str, Any]:
    """A structlog processor: conversation fields removed, every other text masked."""
    return {
        key: REMOVED
        if key in CONVERSATION_FIELDS
        else (mask(value) if isinstance(value, str) else value)
        for key, value in event_dict.items()
    }


class PrivateLogFilter(logging.Filter):
    """Drops conversation dumps and masks secrets in each record (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def install_private_log_filter() -> None:
    """Scrub every log record this process creates, whichever logger or handler it goes to.
    Calling it again changes nothing."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _SCRUBBED, False):
        return

    def private_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub(factory(*args, **kwargs))

    scrubbing: Callable[..., logging.LogRecord] = private_record
    setattr(scrubbing, _SCRUBBED, True)
    logging.setLogRecordFactory(scrubbing)
