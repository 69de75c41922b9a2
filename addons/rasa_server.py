"""`python -m addons.rasa_server <rasa arguments>`: Rasa's command line with private logs.

The same as the `rasa` command, except that exception logs never print local variables (see
addons/private_logging.py), usage telemetry is off by default, and `run` refuses weak secrets,
binds to loopback and makes the action server check its token (addons/secure_start.py).
`make run`, `make bench` and the end-to-end tests start Rasa and the action server through it.
"""

from __future__ import annotations

import os
import sys

import rasa.__main__ as rasa_main

from addons.private_logging import configure_private_structlog, install_private_log_filter
from addons.secure_start import InsecureConfiguration, prepare

if __name__ == "__main__":
    # Before Rasa logs anything: no tracker dumps, secrets masked (privacy/logs.py).
    install_private_log_filter()
    # Rasa's usage telemetry stays off unless asked for (it would try to reach the internet).
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    try:
        sys.argv = prepare(sys.argv, os.environ)
    except InsecureConfiguration as error:
        sys.exit(f"error: {error}")  # one line on stderr, exit code 1
    rasa_main.configure_structlog = configure_private_structlog  # type: ignore[assignment]
    if sys.argv[1:2] == ["run"] and sys.argv[2:3] != ["actions"]:
        # Rasa's check of action server answers, without re-checking its schema on each one.
        from addons.action_response_validation import install as cache_response_validation

        cache_response_validation()
        # Calls to the action server over kept-alive connections, not a new one per call.
        from addons.pooled_endpoints import install as pool_endpoint_connections

        pool_endpoint_connections()
        # No action server call for the language slot when it could not change (most turns).
        from addons.settled_language import install as skip_settled_language

        skip_settled_language()
    rasa_main.main()
