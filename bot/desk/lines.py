"""What the desk itself says to the customer through Rasa, in the ticket's language (catalogue
keys `desk.line.*`), and the note the agent sees when a reply could not be delivered."""

from __future__ import annotations

from typing import Final

from bot.core.language import Language
from bot.core.texts import Texts
from bot.desk.updates import QueueUpdate


def hand_back(language: Language) -> str:
    """ "You're back with the billing assistant. ..." """
    return Texts(language)("desk.line.hand_back")


def goodbye(language: Language) -> str:
    """ "Thank you for contacting billing support. This conversation is now closed; ..." """
    return Texts(language)("desk.line.goodbye")


# For the agent at the desk (English, like the rest of the desk).
NOT_DELIVERED: Final = (
    "Not delivered: the chat system could not be reached. The customer has not seen the message "
    "above; send it again when the chat is back."
)


def queue_line(update: QueueUpdate) -> str:
    """ "You're now number 2 in the queue; about 2 minutes." (no estimate: no time is given),
    in the ticket's language; the minutes by the catalogue's plural rule."""
    texts = Texts(update.language)
    minutes = update.estimated_wait_minutes
    key = "desk.line.queue.next" if update.position == 1 else "desk.line.queue.number"
    if minutes is None:
        return texts(key, position=update.position)
    wait = texts.plural("unit.minutes_about", minutes)
    return texts(f"{key}.wait", position=update.position, wait=wait)
