"""`GET /`: the billing support page with the chat widget; `GET /chat/webchat.js`: the widget.

The widget (rasa-webchat, vendored from npm by `make setup`) talks socket.io to Rasa at
`RASA_PUBLIC_URL`. Its conversation state lives in the browser's local storage and the session id
is the conversation id, so a page reload continues the same conversation. Public pages: they hold
no customer data (the customer verifies inside the chat).

Nothing is loaded from elsewhere: no inline script (the options travel as a JSON data block read
by /chat/start.js; the Content-Security-Policy is bot.api.security_headers'), and the widget is
served without the third-party font its stylesheets import (it uses the system font).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

from bot.api.deps import get_settings_dep
from bot.commerce.policy import PROJECT_ROOT
from bot.settings import Settings

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent / "static"
_STATIC_TYPES = {"start.js": "text/javascript", "page.css": "text/css"}
# rasa-webchat 1.0.1's stylesheets start with `@import url(https://fonts.googleapis.com/...)`.
_REMOTE_IMPORT = re.compile(rb"@import url\((?:https?:)?//[^)]*\);?")

# The widget's default typing delay adds 0.8-3 s per bubble; a short fixed pause reads naturally.
WIDGET_OPTIONS = {
    "initPayload": "/greet",
    "socketPath": "/socket.io/",
    "title": "Billing support",
    "subtitle": "Questions about your bill",
    "inputTextFieldHint": "Type your question…",
    "params": {"storage": "local"},
    "customData": {"language": "en"},
    "showMessageDate": False,
    "hideWhenNotConnected": False,
}


@cache
def _page() -> Template:
    return Template((Path(__file__).parent / "index.html").read_text(encoding="utf-8"))


def _bundle(settings: Settings) -> Path:
    path = Path(settings.webchat_bundle_path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


@router.get("/", response_class=HTMLResponse)
def chat_page(settings: Annotated[Settings, Depends(get_settings_dep)]) -> HTMLResponse:
    options = {**WIDGET_OPTIONS, "socketUrl": settings.rasa_public_url}
    # A JSON data block, not a script; "<" escaped so nothing in it can close the tag.
    html = _page().substitute(options=json.dumps(options).replace("<", "\\u003c"))
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@cache
def _without_remote_imports(bundle: Path, _mtime_ns: int) -> bytes:
    return _REMOTE_IMPORT.sub(b"", bundle.read_bytes())


@router.get("/chat/webchat.js")
def widget_bundle(settings: Annotated[Settings, Depends(get_settings_dep)]) -> Response:
    bundle = _bundle(settings)
    if not bundle.is_file():
        raise HTTPException(503, "the chat widget is not vendored yet: run `make setup`")
    body = _without_remote_imports(bundle, bundle.stat().st_mtime_ns)
    return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/chat/{name}")
def page_asset(name: str) -> FileResponse:
    """The page's own start script and stylesheet."""
    if name not in _STATIC_TYPES:
        raise HTTPException(404, "not found")
    return FileResponse(STATIC / name, media_type=_STATIC_TYPES[name])
