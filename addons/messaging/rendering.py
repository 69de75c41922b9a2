"""Rasa's messages in each platform's own shapes: long texts split within the platform's limit,
buttons as the platform's buttons (or numbered choices where it has too few).

Pure functions, no I/O: each returns the request bodies to send, in order. Texts are sent as plain
text (no markdown or HTML parse mode), so what the bot wrote is what the customer reads.

Limits (the platforms' documentation): Telegram 4096 characters a message, callback data 64
bytes; WhatsApp 4096 a text, 1024 the body of an interactive message, 3 reply buttons (20
characters a title, 256 an id) or a list of 10 rows (24 a title, 72 a description, 200 an id);
Messenger 2000 a text, 13 quick replies (20 characters a title); Slack 3000 a section, 25
buttons an actions block (75 characters a label).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

TELEGRAM_TEXT_LIMIT: Final = 4096
TELEGRAM_CALLBACK_BYTES: Final = 64
WHATSAPP_TEXT_LIMIT: Final = 4096
WHATSAPP_BODY_LIMIT: Final = 1024
WHATSAPP_MAX_BUTTONS: Final = 3
WHATSAPP_BUTTON_TITLE: Final = 20
WHATSAPP_BUTTON_ID: Final = 256
WHATSAPP_ROW_ID: Final = 200
WHATSAPP_MAX_ROWS: Final = 10
WHATSAPP_ROW_TITLE: Final = 24
WHATSAPP_ROW_DESCRIPTION: Final = 72
MESSENGER_TEXT_LIMIT: Final = 2000
MESSENGER_MAX_QUICK_REPLIES: Final = 13
MESSENGER_QUICK_REPLY_TITLE: Final = 20
MESSENGER_PAYLOAD: Final = 1000
SLACK_SECTION_LIMIT: Final = 3000
SLACK_BUTTONS_PER_BLOCK: Final = 25
SLACK_BUTTON_LABEL: Final = 75
SLACK_VALUE: Final = 2000

# Buttons need a text to hang on; platforms refuse a blank one.
BUTTONS_ONLY_TEXT: Final = "…"
_SENTENCE_END: Final = re.compile(r"[.!?;:](?=\s)")


@dataclass(frozen=True)
class Labels:
    """The words the rendering adds of its own, in the conversation's language (the output
    takes them from the bot catalogue: channel.choose, channel.numbered_hint)."""

    choose: str  # WhatsApp's list button, at most 20 characters
    numbered_hint: str  # under choices shown as numbered lines


ENGLISH_LABELS: Final = Labels("Choose", "Reply with the number of your choice.")


@dataclass(frozen=True)
class Choice:
    """A button: what it says, and what tapping it sends (`data`: the payload, or a reference
    to it when the payload is longer than the platform carries)."""

    title: str
    data: str


def buttons_of(message: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(title, payload) of a Rasa message's buttons or quick replies, skipping malformed ones."""
    raw = message.get("buttons") or message.get("quick_replies") or []
    pairs = []
    for button in raw if isinstance(raw, list) else []:
        if not isinstance(button, dict):
            continue
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and title and isinstance(payload, str) and payload:
            pairs.append((title, payload))
    return pairs


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a paragraph, line, sentence or
    word where one is in the second half of a piece; blank text is no piece at all."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_at(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut_at(text: str, limit: int) -> int:
    window = text[: limit + 1]  # a break right after the limit still leaves a piece <= limit
    floor = limit // 2
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator, floor)
        if at > 0:
            return at
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(window, floor) if m.end() <= limit]
    if sentence_ends:
        return sentence_ends[-1]
    at = window.rfind(" ", floor)
    return at if at > 0 else limit


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def numbered(text: str, choices: Sequence[Choice], labels: Labels = ENGLISH_LABELS) -> str:
    """The choices as numbered lines under the text (for when buttons cannot carry them)."""
    lines = [f"{number}. {choice.title}" for number, choice in enumerate(choices, start=1)]
    return "\n".join([text, "", *lines, "", labels.numbered_hint]).strip()


def _with_last(pieces: list[str], limit: int) -> list[str]:
    """The pieces, the last one split again so it fits `limit` (a smaller, interactive body)."""
    if not pieces:
        return pieces
    return [*pieces[:-1], *split_text(pieces[-1], limit)]


# Telegram -------------------------------------------------------------------------------------


def telegram_messages(chat_id: str, text: str, choices: Sequence[Choice]) -> list[dict[str, Any]]:
    """sendMessage bodies; the buttons as an inline keyboard under the last piece."""
    pieces = split_text(text, TELEGRAM_TEXT_LIMIT) or ([BUTTONS_ONLY_TEXT] if choices else [])
    bodies: list[dict[str, Any]] = [{"chat_id": chat_id, "text": piece} for piece in pieces]
    if choices:
        keyboard = [[{"text": c.title, "callback_data": c.data}] for c in choices]
        bodies[-1]["reply_markup"] = {"inline_keyboard": keyboard}
    return bodies


# WhatsApp -------------------------------------------------------------------------------------


def _whatsapp(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }


def _whatsapp_text(to: str, piece: str) -> dict[str, Any]:
    return _whatsapp(to, "text", {"body": piece, "preview_url": False})


def whatsapp_layout(choices: Sequence[Choice]) -> str:
    """ "buttons" (up to 3 short titles), "list" (up to 10) or "numbered" (more)."""
    if not choices:
        return "text"
    fits = all(len(c.data) <= WHATSAPP_ROW_ID for c in choices)
    short = all(len(c.title) <= WHATSAPP_BUTTON_TITLE for c in choices)
    if fits and short and len(choices) <= WHATSAPP_MAX_BUTTONS:
        return "buttons"
    if fits and len(choices) <= WHATSAPP_MAX_ROWS:
        return "list"
    return "numbered"


def whatsapp_messages(
    to: str, text: str, choices: Sequence[Choice], labels: Labels = ENGLISH_LABELS
) -> list[dict[str, Any]]:
    """Cloud API /messages bodies: texts, then an interactive message carrying the choices."""
    layout = whatsapp_layout(choices)
    if layout in ("text", "numbered"):
        shown = numbered(text, choices, labels) if layout == "numbered" else text
        return [_whatsapp_text(to, piece) for piece in split_text(shown, WHATSAPP_TEXT_LIMIT)]
    pieces = _with_last(split_text(text, WHATSAPP_TEXT_LIMIT), WHATSAPP_BODY_LIMIT) or [
        BUTTONS_ONLY_TEXT
    ]
    bodies = [_whatsapp_text(to, piece) for piece in pieces[:-1]]
    if layout == "buttons":
        action: dict[str, Any] = {
            "buttons": [
                {"type": "reply", "reply": {"id": c.data, "title": c.title}} for c in choices
            ]
        }
    else:
        button_label = shorten(labels.choose, WHATSAPP_BUTTON_TITLE)
        action = {"button": button_label, "sections": [{"rows": _rows(choices)}]}
    interactive = {
        "type": "button" if layout == "buttons" else "list",
        "body": {"text": pieces[-1]},
        "action": action,
    }
    return [*bodies, _whatsapp(to, "interactive", interactive)]


def _rows(choices: Iterable[Choice]) -> list[dict[str, str]]:
    rows = []
    for choice in choices:
        row = {"id": choice.data, "title": shorten(choice.title, WHATSAPP_ROW_TITLE)}
        if len(choice.title) > WHATSAPP_ROW_TITLE:
            row["description"] = shorten(choice.title, WHATSAPP_ROW_DESCRIPTION)
        rows.append(row)
    return rows


# Messenger ------------------------------------------------------------------------------------


def messenger_messages(
    psid: str, text: str, choices: Sequence[Choice], labels: Labels = ENGLISH_LABELS
) -> list[dict[str, Any]]:
    """Send API bodies; the choices as quick replies on the last piece (numbered if too many)."""
    too_many = len(choices) > MESSENGER_MAX_QUICK_REPLIES
    shown = numbered(text, choices, labels) if too_many else text
    pieces = split_text(shown, MESSENGER_TEXT_LIMIT) or ([BUTTONS_ONLY_TEXT] if choices else [])
    bodies: list[dict[str, Any]] = [
        {"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": {"text": piece}}
        for piece in pieces
    ]
    if choices and not too_many:
        bodies[-1]["message"]["quick_replies"] = [
            {
                "content_type": "text",
                "title": shorten(c.title, MESSENGER_QUICK_REPLY_TITLE),
                "payload": c.data,
            }
            for c in choices
        ]
    return bodies


# Slack ----------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Slack's three control characters, so a fallback text shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_messages(channel: str, text: str, choices: Sequence[Choice]) -> list[dict[str, Any]]:
    """chat.postMessage bodies: plain-text sections; the choices as Block Kit buttons."""
    pieces = split_text(text, SLACK_SECTION_LIMIT) or ([BUTTONS_ONLY_TEXT] if choices else [])
    bodies: list[dict[str, Any]] = [
        {
            "channel": channel,
            "text": slack_escape(piece),
            "blocks": [{"type": "section", "text": {"type": "plain_text", "text": piece}}],
        }
        for piece in pieces
    ]
    for start in range(0, len(choices), SLACK_BUTTONS_PER_BLOCK):
        elements = [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": shorten(c.title, SLACK_BUTTON_LABEL)},
                "value": c.data,
                "action_id": f"choice-{number}",
            }
            for number, c in enumerate(choices[start : start + SLACK_BUTTONS_PER_BLOCK], start)
        ]
        bodies[-1]["blocks"].append({"type": "actions", "elements": elements})
    return bodies
