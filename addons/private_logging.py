"""Rasa's structlog set-up without conversation data: no local variables in tracebacks, no
conversation fields, and the log filter of `privacy.logs` on every stdlib record.

Rasa 3.6 renders exceptions with structlog's `dict_tracebacks` (JSON, when not on a terminal) or
rich (on a terminal); both print every frame's local variables, which hold the customer's
message, slots and tracker. `configure_private_structlog` runs Rasa's own configuration, swaps
those two renderers for ones that show the frames without their locals, and puts
`drop_conversation_fields` first, so fields such as `text`, `slot_values` or `tracker_states`
are removed before anything renders them. The stdlib side (where Rasa logs a tracker when the
action server answers 500) is `install_private_log_filter`, which addons/rasa_server.py installs
before Rasa starts.
"""

from __future__ import annotations

from typing import Any

import structlog
from rasa.utils.log_utils import HumanConsoleRenderer, configure_structlog
from structlog.processors import ExceptionRenderer
from structlog.tracebacks import ExceptionDictTransformer

from privacy.logs import drop_conversation_fields, install_private_log_filter

__all__ = ["configure_private_structlog", "install_private_log_filter"]

NO_LOCALS_DICT_TRACEBACKS = ExceptionRenderer(ExceptionDictTransformer(show_locals=False))


def _private(processor: Any) -> Any:
    if processor is structlog.processors.dict_tracebacks:
        return NO_LOCALS_DICT_TRACEBACKS
    if isinstance(processor, HumanConsoleRenderer):
        return HumanConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    return processor


def configure_private_structlog(log_level: int | None = None) -> None:
    """Rasa's structlog configuration, without local variables or conversation fields."""
    configure_structlog(log_level)
    processors = structlog.get_config()["processors"]
    structlog.configure(
        processors=[drop_conversation_fields, *(_private(processor) for processor in processors)]
    )
