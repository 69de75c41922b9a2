"""The languages the product speaks, and how outside codes become one of them.

normalise_language("sl-SI")        -> "sl"
normalise_language("English")      -> "en"
normalise_language("de")           -> None (not supported)
from_accept_language("sl,en;q=0.8") -> "sl"
from_accept_language(None)          -> "en"
"""

from __future__ import annotations

from typing import Final, Literal

Language = Literal["en", "sl"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "sl")
DEFAULT_LANGUAGE: Final[Language] = "en"

# Names a customer or a platform may use for a supported language (lower case, no diacritics
# needed: "slovenscina" is accepted like "slovenščina").
_NAMES: Final[dict[str, Language]] = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "anglescina": "en",
    "angleščina": "en",
    "anglesko": "en",
    "angleško": "en",
    "sl": "sl",
    "slv": "sl",
    "si": "sl",
    "slovenian": "sl",
    "slovene": "sl",
    "slovenscina": "sl",
    "slovenščina": "sl",
    "slovensko": "sl",
}


def normalise_language(value: object) -> Language | None:
    """A supported language for a code ("sl", "sl-SI", "en_US") or a name, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not text or len(text) > 40:
        return None
    if text in _NAMES:
        return _NAMES[text]
    primary = text.replace("_", "-").split("-", 1)[0]
    return _NAMES.get(primary) if len(primary) <= 3 else None


def from_accept_language(header: str | None) -> Language:
    """The best supported language of an Accept-Language header; English when none fits."""
    if not header:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate(header.split(",")[:20]):
        code, _, params = part.strip().partition(";")
        language = normalise_language(code)
        if language is None:
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE
