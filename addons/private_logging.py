"""Rasa's structlog set-up without local variables in tracebacks.

Rasa 3.6 renders exceptions with structlog's `dict_tracebacks` (JSON, when not on a terminal) or
rich (on a terminal); both print every frame's local variables, which hold the customer's
message, slots and tracker. `configure_private_structlog` runs Rasa's own configuration and swaps
those two renderers for ones that show the frames without their locals.
"""

from __future__ import annotations

from typing import Any

import structlog
from rasa.utils.log_utils import HumanConsoleRenderer, configure_structlog
from structlog.processors import ExceptionRenderer
from structlog.tracebacks import ExceptionDictTransformer

NO_LOCALS_DICT_TRACEBACKS = ExceptionRenderer(ExceptionDictTransformer(show_locals=False))


def _private(processor: Any) -> Any:
    if processor is structlog.processors.dict_tracebacks:
        return NO_LOCALS_DICT_TRACEBACKS
    if isinstance(processor, HumanConsoleRenderer):
        return HumanConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    return processor


def configure_private_structlog(log_level: int | None = None) -> None:
    """Rasa's structlog configuration, with tracebacks that never show local variables."""
    configure_structlog(log_level)
    processors = structlog.get_config()["processors"]
    structlog.configure(processors=[_private(processor) for processor in processors])
