"""The languages the product speaks (i18n.LANGUAGES; a test keeps them equal) as an enum the
tables and schemas can hold."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from i18n import from_accept_language


class Language(StrEnum):
    EN = "en"
    SL = "sl"


DEFAULT_LANGUAGE: Final = Language.EN


def negotiate(header: str | None) -> Language:
    """The best language of an `Accept-Language` header we speak; English when none fits."""
    return Language(from_accept_language(header))
