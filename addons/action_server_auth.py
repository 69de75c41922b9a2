"""The action server answers only Rasa: every request except `/health` needs ACTION_SERVER_TOKEN.

Rasa sends `Authorization: Bearer <token>` with each action call (endpoints.yml, the
action_endpoint's `headers`); a request without it, or with another token, gets 401 before any
action runs. Installed as a rasa-sdk plugin: rasa-sdk calls the `attach_sanic_app_extensions`
hook (rasa_sdk/plugin.py) on its Sanic app just before serving (rasa_sdk/endpoint.py, `run`).
"""

from __future__ import annotations

import hmac
import logging

import pluggy
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

hookimpl = pluggy.HookimplMarker("rasa_sdk")
OPEN_PATHS = frozenset({"/health"})  # liveness probes carry no token
logger = logging.getLogger(__name__)


class ActionServerAuth:
    """A Sanic request middleware comparing the bearer token in constant time."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the action server's token must not be empty")
        self._expected = f"Bearer {token}".encode()

    def is_authorised(self, request: Request) -> bool:
        given = request.headers.get("Authorization", "").encode()
        return hmac.compare_digest(given, self._expected)

    async def check(self, request: Request) -> HTTPResponse | None:
        """None lets the request through; a response ends it."""
        if request.path in OPEN_PATHS or self.is_authorised(request):
            return None
        logger.warning("action_server.unauthorised method=%s", request.method)
        return response.json({"error": "missing or wrong token"}, status=401)

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        app.register_middleware(self.check, "request")


def install(token: str) -> ActionServerAuth:
    """Register the check with rasa-sdk's plugin manager, for the app `rasa run actions` builds."""
    auth = ActionServerAuth(token)
    plugin_manager().register(auth)
    return auth
