"""What the bot says around a handoff: the queue position, the wait, the callback choice."""

from __future__ import annotations

import json

from actions.billing_client import JSON
from actions.speech import Button, button, plural, text

# Catalogue keys (i18n/locales/*/LC_MESSAGES/bot.po).
HANDOFF_UNAVAILABLE = "handoff.unavailable"
NO_OPEN_TICKET = "handoff.no_open_ticket"
CALLBACK_BOOKED = "handoff.callback_booked"
ANYTHING_ELSE = "handoff.anything_else"
STILL_NOT_UNDERSTOOD = "handoff.still_not_understood"
CARRY_ON = "handoff.carry_on"

# Channels where the conversation lives in the platform's chat, not on a web page: an agent's
# replies come to that chat (addons/messaging/; the website and REST clients show a page).
MESSAGING_CHANNELS = frozenset({"telegram", "whatsapp", "facebook", "slack"})


def wait_button() -> Button:
    return button("handoff.button.wait", "/wait_for_agent")


def carry_on_button() -> Button:
    return button("handoff.button.carry_on", "/continue_with_bot")


def wait_phrase(seconds: float | None) -> str:
    """'about 2 minutes', 'less than a minute', or '' when nobody can say."""
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    if minutes < 1:
        return text("handoff.wait.less_than_a_minute")
    if minutes == 1:
        return text("handoff.wait.about_a_minute")
    return plural("handoff.wait.about_minutes", minutes)


def queue_message(ticket: JSON, *, first: bool, channel: str | None = None) -> str:
    """Where the customer is in the queue, how long it will take, and where the replies come
    (the page on the website, the chat itself on a messaging `channel`)."""
    wait = wait_phrase(ticket.get("estimated_wait_seconds"))
    position = ticket.get("position") or 1
    place = (
        text("handoff.place.next")
        if position == 1
        else text("handoff.place.number", position=position)
    )
    if wait:
        estimate = text("handoff.estimate", wait=wait)
    elif not ticket.get("agents_on_duty"):
        estimate = text("handoff.estimate.nobody_online")
    else:
        estimate = ""
    opening = text("handoff.opening") if first else ""
    replies = text(
        "handoff.replies.chat" if channel in MESSAGING_CHANNELS else "handoff.replies.page"
    )
    return (
        text("handoff.queue", opening=opening, place=place, estimate=estimate, replies=replies)
        .replace("  ", " ")
        .strip()
    )


def callback_question(ticket: JSON, *, verified: bool) -> tuple[str, list[dict[str, str]]]:
    """When waiting is not a good option: a callback (verified customers), waiting, or the bot."""
    if not ticket.get("open_now"):
        situation = text("handoff.situation.closed")
    elif ticket.get("estimated_wait_seconds") is None:
        situation = text("handoff.situation.nobody_free")
    else:
        situation = text(
            "handoff.situation.wait", wait=wait_phrase(ticket["estimated_wait_seconds"])
        )
    buttons: list[dict[str, str]] = []
    if verified:
        for window in ticket.get("callback_windows") or []:
            entity = json.dumps({"callback_window": window["start"]})
            payload = f"/request_callback{entity}"
            buttons.append(button("handoff.button.call_me_back", payload, window=window["label"]))
    if ticket.get("open_now"):
        buttons.append(wait_button())
    buttons.append(carry_on_button())
    if verified and ticket.get("callback_windows"):
        choice = text("handoff.choice.callback_or_bot")
    else:
        choice = text("handoff.choice.bot_or_phone")
    parts = [situation, choice]
    if ticket.get("open_now"):
        parts.append(text("handoff.choice.wait_here"))
    return " ".join(parts), buttons
