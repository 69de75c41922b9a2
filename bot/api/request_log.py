"""One log line per HTTP request: method, route template, status and duration.

The route template (`/api/v1/accounts/{acct}/balance`), never the path: paths hold account
numbers. A pure ASGI middleware (Starlette's `BaseHTTPMiddleware` runs every request through a
task group and memory streams, a large share of a short request's CPU, and buffers streams).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("bot.api")


def route_template(scope: Scope) -> str:
    """The request path with each path parameter's value replaced by its name."""
    if scope.get("route") is None:
        return "unmatched"
    params: dict[str, Any] = scope.get("path_params") or {}
    values = {str(value): name for name, value in params.items()}
    segments = str(scope["path"]).split("/")
    return "/".join(f"{{{values[part]}}}" if part in values else part for part in segments)


class RequestLog:
    """Logs `request.done` after each HTTP response of `app` (nothing when INFO is off)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before it answers

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            logger.info(
                "request.done",
                extra={
                    "method": scope["method"],
                    "route": route_template(scope),
                    "status_code": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
