"""What the customer reads, in the conversation's language: keys and values in, text out.

Actions never write sentences: they name a message of the `bot` catalogue
(`i18n/locales/<lang>/LC_MESSAGES/bot.po`) and pass the values to put in it:

    say(dispatcher, "balance.due", amount=money(data["balance"]), due=day(data["next_due_date"]))

The language is chosen once per action call: `guarded` (actions/base.py) reads the tracker's
`language` slot and `speaking` makes it the language of everything the call renders (texts,
amounts, dates, the Accept-Language header of the back-end calls). A context variable carries it,
so helpers deep down (`invoice_line_text`, `money`) need no language argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import names
from i18n import DEFAULT_LANGUAGE, Language, normalise_language, translator

DOMAIN = "bot"
_language: ContextVar[Language] = ContextVar("conversation_language", default=DEFAULT_LANGUAGE)
Button = dict[str, str]


def conversation_language(tracker: Tracker) -> Language:
    """The conversation's language: its `language` slot, English when unset."""
    return normalise_language(tracker.get_slot(names.LANGUAGE)) or DEFAULT_LANGUAGE


def current_language() -> Language:
    return _language.get()


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Everything rendered inside is in `language`."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def text(key: str, /, **values: Any) -> str:
    """The catalogue's message `key` in the current language, placeholders filled in."""
    return translator(DOMAIN, _language.get()).text(key, **values)


def plural(key: str, count: int, /, **values: Any) -> str:
    """The form of `key` for `count` by the catalogue's plural rules ("3 dni", "2 dneva")."""
    return translator(DOMAIN, _language.get()).plural(key, count, **values)


def button(title_key: str, payload: str, /, **values: Any) -> Button:
    return {"title": text(title_key, **values), "payload": payload}


def say(
    dispatcher: CollectingDispatcher,
    key: str,
    /,
    buttons: list[Button] | None = None,
    **values: Any,
) -> None:
    """One bubble: the message `key` with `values`, and buttons if any."""
    if buttons:
        dispatcher.utter_message(text=text(key, **values), buttons=buttons)
    else:
        dispatcher.utter_message(text=text(key, **values))
