"""Text for the website widget, which renders every message as markdown (rasa-webchat 1.0.1:
react-markdown, GitHub-flavoured, raw HTML shown as text, and link URLs passed through as they are,
`javascript:` included).

`as_text()` makes a message render as exactly what was written: the characters that start markdown
(`[` of links and images, `<` of autolinks and HTML, emphasis, code, headings, quotes, escapes,
entities) become numeric character references, which markdown shows literally and never parses
as syntax (so `![p](http://x)` fetches nothing and `[x](javascript:...)` is no link). Bare
http(s) URLs are left as they are, so they stay the only links; `mailto:` loses its link too.
Bot and agent text both pass through it at the socket.io output (addons/socketio_channel.py);
the tracker keeps the text as written.
"""

from __future__ import annotations

import re
from typing import Any, Final

from rasa.core.channels.socketio import SocketIOOutput

# A bare http(s) URL (the widget links those itself); it stops before anything markdown could use.
_URL: Final = re.compile(r"https?://[^\s<>\[\]()`\"'\\]+", re.IGNORECASE)
_SYNTAX: Final = re.compile(r"[\\`*_\[\]<>#~&|]|mailto:", re.IGNORECASE)


def _references(match: re.Match[str]) -> str:
    return "".join(f"&#{ord(character)};" for character in match.group(0))


def _plain(text: str) -> str:
    return _SYNTAX.sub(_references, text)


def as_text(text: str) -> str:
    """`text` as the widget should show it: literally, links only where an http(s) URL stands."""
    shown, start = [], 0
    for url in _URL.finditer(text):
        shown += [_plain(text[start : url.start()]), url.group(0)]
        start = url.end()
    shown.append(_plain(text[start:]))
    return "".join(shown)


class WidgetOutput(SocketIOOutput):
    """Rasa's socket.io output with every text made literal for the widget (buttons' titles are
    shown as plain text by the widget already)."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, as_text(text), **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await super().send_text_with_buttons(recipient_id, as_text(text), buttons, **kwargs)
