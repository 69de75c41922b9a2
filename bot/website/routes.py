"""`GET /` (English) and `GET /sl/` (Slovenian): the billing support page with the chat widget;
`GET /chat/webchat.js`: the widget.

Each page's text, the widget's title and input placeholder come from the `backend` catalogue in
the page's language. The widget sends the page's language with every message (`customData`
`page`); `/sl/` also sends `"language": "sl"`, so the bot answers that page in Slovenian, while on
`/` the bot detects the language from what the customer writes; following the language link
switches the conversation (actions/language.py). The pages link to each other.

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
from html import escape
from pathlib import Path
from string import Template
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from bot.app_settings import get_settings_dep
from bot.commerce.policy import PROJECT_ROOT
from bot.core.language import Language
from bot.core.texts import Texts
from bot.settings import Settings

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parent / "static"
_STATIC_TYPES = {"start.js": "text/javascript", "page.css": "text/css"}
# rasa-webchat 1.0.1's stylesheets start with `@import url(https://fonts.googleapis.com/...)`.
_REMOTE_IMPORT = re.compile(rb"@import url\((?:https?:)?//[^)]*\);?")

WIDGET_OPTIONS = {
    "initPayload": "/greet",
    "socketPath": "/socket.io/",
    "params": {"storage": "local"},
    "showMessageDate": False,
    "hideWhenNotConnected": False,
}
PAGE_PATHS: dict[Language, str] = {Language.EN: "/", Language.SL: "/sl/"}
# The page's $placeholders and their catalogue keys; every value is HTML-escaped.
_PAGE_TEXTS = {
    "title": "page.title",
    "heading": "page.heading",
    "intro_heading": "page.intro.heading",
    "intro": "page.intro",
    "item_owe": "page.item.owe",
    "item_changed": "page.item.changed",
    "item_pay": "page.item.pay",
    "item_person": "page.item.person",
    "privacy_heading": "page.privacy.heading",
    "privacy": "page.privacy",
    "switch": "page.language_switch",
    "switch_label": "page.language_switch.label",
}


@cache
def _page() -> Template:
    return Template((Path(__file__).parent / "index.html").read_text(encoding="utf-8"))


def _bundle(settings: Settings) -> Path:
    path = Path(settings.webchat_bundle_path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def widget_options(texts: Texts, rasa_public_url: str) -> dict[str, object]:
    """The widget's options for a page in `texts`' language (customData: read by the bot)."""
    return {
        **WIDGET_OPTIONS,
        "socketUrl": rasa_public_url,
        "title": texts("widget.title"),
        "subtitle": texts("widget.subtitle"),
        "inputTextFieldHint": texts("widget.placeholder"),
        "customData": page_language_hint(texts.language),
    }


def page_language_hint(language: Language) -> dict[str, str]:
    """What the widget tells the bot about the page's language. `page` is the page the message was
    written on: moving to the other page by its language link switches the conversation. `/sl/` is
    a choice the customer made, so it also sets a new conversation's `language`; `/` is where
    everyone lands, so it does not, and the bot detects the language from what the customer
    writes (English when unclear)."""
    if language is Language.EN:
        return {"page": language.value}
    return {"page": language.value, "language": language.value}


def render_page(texts: Texts, rasa_public_url: str) -> str:
    other = Language.SL if texts.language is Language.EN else Language.EN
    options = json.dumps(widget_options(texts, rasa_public_url))
    return _page().substitute(
        {name: escape(texts(key)) for name, key in _PAGE_TEXTS.items()},
        lang=texts.language.value,
        other_lang=other.value,
        other_href=PAGE_PATHS[other],
        # A JSON data block, not a script; "<" escaped so nothing in it can close the tag.
        options=options.replace("<", "\\u003c"),
    )


def _page_response(language: Language, settings: Settings) -> HTMLResponse:
    html = render_page(Texts(language), settings.rasa_public_url)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get("/", response_class=HTMLResponse)
def chat_page(settings: Annotated[Settings, Depends(get_settings_dep)]) -> HTMLResponse:
    return _page_response(Language.EN, settings)


@router.get("/sl/", response_class=HTMLResponse)
def chat_page_slovenian(settings: Annotated[Settings, Depends(get_settings_dep)]) -> HTMLResponse:
    return _page_response(Language.SL, settings)


@router.get("/sl")
def to_slovenian_page() -> RedirectResponse:
    return RedirectResponse("/sl/", status_code=308)


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
