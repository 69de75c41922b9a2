"""Security headers on every response of the back end, decided here and nowhere else.

Every answer gets `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and a
Content-Security-Policy that allows no inline or evaluated script and no framing:

* JSON and anything else: nothing may load at all (`default-src 'none'`);
* the desk (/desk...): scripts, styles, images and requests from us only;
* the chat pages (/, /sl/ and /chat/...): the same, plus requests to Rasa's socket.io origin
  (`RASA_PUBLIC_URL`, http(s) and ws(s)) and inline styles, which the widget injects at run time
  and its embedded (data:) font (its scripts stay ours only; it loads no font from elsewhere:
  bot.website serves it without its Google Fonts import);
* the API docs (/docs, /redoc, development tools): FastAPI's pages load Swagger UI and ReDoc from
  cdn.jsdelivr.net with a small inline start script.

A pure ASGI middleware (not BaseHTTPMiddleware), so the desk's live stream is not buffered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON: Final = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
_NO_FRAMING: Final = "frame-ancestors 'none'; base-uri 'none'"
API_CSP: Final = f"default-src 'none'; {_NO_FRAMING}; form-action 'none'"
DESK_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    f"connect-src 'self'; form-action 'self'; object-src 'none'; {_NO_FRAMING}"
)
_CDN: Final = "https://cdn.jsdelivr.net"
DOCS_CSP: Final = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_CDN}; "
    f"style-src 'self' 'unsafe-inline' {_CDN}; img-src 'self' data: https://fastapi.tiangolo.com; "
    f"worker-src 'self' blob:; object-src 'none'; {_NO_FRAMING}"
)


def socket_origins(public_url: str) -> str:
    """The origins the widget's socket.io client connects to: `http://h:p ws://h:p`."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("RASA_PUBLIC_URL must be an http(s) URL")
    socket = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {socket}://{parts.netloc}"


def chat_csp(rasa_public_url: str) -> str:
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; font-src 'self' data:; connect-src 'self' "
        f"{socket_origins(rasa_public_url)}; form-action 'self'; object-src 'none'; {_NO_FRAMING}"
    )


class SecurityHeaders:
    """Adds the headers above to every HTTP response of `app` (the policy chosen by path)."""

    def __init__(self, app: ASGIApp, rasa_public_url: str) -> None:
        self.app = app
        self.chat = chat_csp(rasa_public_url)

    def policy(self, path: str) -> str:
        if path in ("/", "/sl/") or path.startswith("/chat/"):
            return self.chat
        if path == "/desk" or path.startswith("/desk/"):
            return DESK_CSP
        if path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            return DOCS_CSP
        return API_CSP

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = {**COMMON, "content-security-policy": self.policy(scope["path"])}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.decode("latin-1").lower() not in added
                ]
                headers += [(name.encode(), value.encode()) for name, value in added.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
