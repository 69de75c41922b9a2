"""What the desk itself says to the customer through Rasa (one place for the wording)."""

from __future__ import annotations

from typing import Final

from bot.desk.updates import QueueUpdate

HAND_BACK: Final = "You're back with the billing assistant. Ask me anything about your bill."
GOODBYE: Final = (
    "Thank you for contacting billing support. This conversation is now closed; "
    "write again any time."
)
NOT_DELIVERED: Final = (
    "Not delivered: the chat system could not be reached. The customer has not seen the message "
    "above; send it again when the chat is back."
)


def queue_line(update: QueueUpdate) -> str:
    """ "You're now number 2 in the queue; about 2 minutes." (no estimate: no time is given)."""
    minutes = update.estimated_wait_minutes
    where = (
        "You're next in the queue"
        if update.position == 1
        else f"You're now number {update.position} in the queue"
    )
    if minutes is None:
        return f"{where}."
    unit = "minute" if minutes == 1 else "minutes"
    return f"{where}; about {minutes} {unit}."
