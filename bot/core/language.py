"""The languages the product speaks, and which one a request asks for (`Accept-Language`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Language(StrEnum):
    EN = "en"
    SL = "sl"


DEFAULT_LANGUAGE: Final = Language.EN
_MAX_RANGES: Final = 20  # a header longer than this is read no further


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0


def negotiate(header: str | None) -> Language:
    """The best language of an `Accept-Language` header we speak ("sl-SI;q=0.9, en" -> en,
    "sl" -> sl); English when the header is absent, malformed or names none of ours."""
    best: tuple[float, int, Language] | None = None
    for index, item in enumerate((header or "").split(",")[:_MAX_RANGES]):
        tag, *parameters = item.split(";")
        primary = tag.strip().lower().partition("-")[0]
        if primary not in Language.__members__.values():
            continue
        quality = _quality(parameters)
        candidate = (quality, -index, Language(primary))
        if quality > 0 and (best is None or candidate[:2] > best[:2]):
            best = candidate
    return best[2] if best is not None else DEFAULT_LANGUAGE
