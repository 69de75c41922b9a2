"""`python -m addons.rasa_server <rasa arguments>`: Rasa's command line with private logs.

The same as the `rasa` command, except that exception logs never print local variables (see
addons/private_logging.py) and usage telemetry is off by default. `make run`, `make bench` and
the end-to-end tests start Rasa and the action server through it.
"""

from __future__ import annotations

import os

import rasa.__main__ as rasa_main

from addons.private_logging import configure_private_structlog

if __name__ == "__main__":
    # Rasa's usage telemetry stays off unless asked for (it would try to reach the internet).
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    rasa_main.configure_structlog = configure_private_structlog  # type: ignore[assignment]
    rasa_main.main()
