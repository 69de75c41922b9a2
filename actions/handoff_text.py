"""What the bot says around a handoff: the queue position, the wait, the callback choice."""

from __future__ import annotations

import json

from actions.billing_client import JSON

HANDOFF_UNAVAILABLE = (
    "I'm sorry, I can't reach our team's queue right now. Please call 080 22 33 (Mon-Fri"
    " 8:00-18:00) or write to billing@example.com and mention this chat; you won't need to start"
    " over."
)
NO_OPEN_TICKET = (
    "That request to talk to a person is no longer open. Just ask again if you need one."
)
CALLBACK_BOOKED = (
    "Booked: a colleague from our billing team will call you {window} on the phone number on your"
    " account. They'll have this conversation in front of them. Anything else I can help with"
    " meanwhile?"
)
ANYTHING_ELSE = "Is there anything else I can help you with?"
STILL_NOT_UNDERSTOOD = "Sorry, I still didn't understand. Let me get you a person instead."
CARRY_ON = "Okay, I'm still here. What can I help you with?"
WAIT_BUTTON = {"title": "I'll wait for a person", "payload": "/wait_for_agent"}
CARRY_ON_BUTTON = {"title": "Carry on with the bot", "payload": "/continue_with_bot"}


def wait_phrase(seconds: float | None) -> str:
    """'about 2 minutes', 'less than a minute', or '' when nobody can say."""
    if seconds is None:
        return ""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "less than a minute"
    if minutes == 1:
        return "about a minute"
    return f"about {minutes} minutes"


def queue_message(ticket: JSON, *, first: bool) -> str:
    """Where the customer is in the queue and how long it will take."""
    wait = wait_phrase(ticket.get("estimated_wait_seconds"))
    position = ticket.get("position") or 1
    place = "next in line" if position == 1 else f"number {position} in the queue"
    if wait:
        estimate = f" The wait is {wait}."
    elif not ticket.get("agents_on_duty"):
        estimate = " Nobody from the team is online yet, so I can't say how long it will take."
    else:
        estimate = ""
    opening = (
        "I'm passing you to a colleague from our billing team. They'll see this conversation and"
        " your account, so you won't need to repeat anything. "
        if first
        else ""
    )
    return f"{opening}You're {place}.{estimate} Stay on this page; their replies appear here."


def callback_question(ticket: JSON, *, verified: bool) -> tuple[str, list[dict[str, str]]]:
    """When waiting is not a good option: a callback (verified customers), waiting, or the bot."""
    if not ticket.get("open_now"):
        situation = "Our billing team isn't available at the moment."
    elif ticket.get("estimated_wait_seconds") is None:
        situation = "No colleague is free to chat right now."
    else:
        situation = f"The wait for a colleague is {wait_phrase(ticket['estimated_wait_seconds'])}."
    buttons: list[dict[str, str]] = []
    if verified:
        for window in ticket.get("callback_windows") or []:
            entity = json.dumps({"callback_window": window["start"]})
            payload = f"/request_callback{entity}"
            buttons.append({"title": f"Call me back: {window['label']}", "payload": payload})
    if ticket.get("open_now"):
        buttons.append(WAIT_BUTTON)
    buttons.append(CARRY_ON_BUTTON)
    if verified and ticket.get("callback_windows"):
        choice = " We can call you back at a time that suits you, or you can carry on with me."
    else:
        choice = " You can carry on with me, or call 080 22 33 (Mon-Fri 8:00-18:00)."
    if ticket.get("open_now"):
        choice += " You can also wait for a person here."
    return situation + choice, buttons
