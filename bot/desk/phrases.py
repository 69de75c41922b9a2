"""Canned phrases the desk offers an agent, in the ticket's language (catalogue `desk.phrase.*`).

The agent picks one into the reply box, may change it, and sends it: the reply goes to the
customer exactly as written (nothing translates an agent's words).
"""

from __future__ import annotations

from typing import Final

from bot.core.language import Language
from bot.core.schemas import Schema
from bot.core.texts import Texts

PHRASE_KEYS: Final = (
    "desk.phrase.greeting",
    "desk.phrase.checking",
    "desk.phrase.verify",
    "desk.phrase.explained",
    "desk.phrase.credited",
    "desk.phrase.callback",
    "desk.phrase.goodbye",
)


class CannedPhraseOut(Schema):
    key: str
    text: str


def canned_phrases(language: Language, agent_name: str) -> list[CannedPhraseOut]:
    """Every canned phrase in `language`, the agent's name filled in where a phrase names them."""
    texts = Texts(language)
    return [CannedPhraseOut(key=key, text=texts(key, agent=agent_name)) for key in PHRASE_KEYS]
