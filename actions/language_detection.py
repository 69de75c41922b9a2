"""Which of our languages a customer writes in, from the text alone (lingua, offline).

lingua-language-detector ships its statistical language models inside the wheel: nothing is
downloaded at run time. The detector knows only English and Slovenian, so it answers the one
question we ask; it is built on first use (about 1.6 s and 108 MB with the high-accuracy models,
measured on this machine) and kept for the life of the action server.

A short or ambiguous text ("ok", "hi", an account number) gets no answer: the conversation stays
in English until a message says more, instead of switching on a guess.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from i18n import Language

if TYPE_CHECKING:
    from lingua import LanguageDetector

THRESHOLD_VARIABLE = "LANGUAGE_DETECTION_THRESHOLD"
DEFAULT_THRESHOLD = 0.7  # the winner's share of the confidence (2 languages: 0.5-1.0)
_MIN_LETTERS = 3
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import Language as LinguaLanguage
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        LinguaLanguage.ENGLISH, LinguaLanguage.SLOVENE
    ).build()


def threshold() -> float:
    try:
        value = float(os.environ.get(THRESHOLD_VARIABLE) or DEFAULT_THRESHOLD)
    except ValueError:
        return DEFAULT_THRESHOLD
    return min(max(value, 0.5), 1.0)


def detect_language(text: str) -> Language | None:
    """ "en" or "sl" when the text clearly is one of them; None when it is too short or unclear."""
    text = text[:1000]
    if len(_LETTERS.findall(text)) < _MIN_LETTERS:
        return None
    confidences = _detector().compute_language_confidence_values(text)
    if not confidences or confidences[0].value < threshold():
        return None
    return "sl" if confidences[0].language.name == "SLOVENE" else "en"
