"""Gettext catalogues read with Babel: one `.po` file per language and domain.

Files: `i18n/locales/<lang>/LC_MESSAGES/<domain>.po`; the domains are `bot` (Rasa responses and
action texts) and `backend` (texts the back end composes). A message id is a stable key
("balance.due"), never an English sentence, so English is one translation like any other:

    t = translator("bot", "sl")
    t.text("balance.due", amount="54,17 €")           # named placeholders (str.format)
    t.plural("arrangement.days", 3)                   # "3 dni": the form chosen by Plural-Forms

The .po files are read directly (Babel's `read_po`) and compiled in memory (`write_mo`) into the
standard library's `gettext.GNUTranslations`, which evaluates each catalogue's `Plural-Forms`
(Slovenian: nplurals=4). No compiled binaries are committed: the text files are the source.

A key missing in a language falls back to English (and is logged); missing in English too, it
raises `MissingMessage`. `check_catalogues` lists every such gap and every placeholder that
differs between languages: the catalogue test fails on any.
"""

from __future__ import annotations

import gettext
import io
import logging
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from i18n.languages import DEFAULT_LANGUAGE, LANGUAGES, Language, normalise_language

logger = logging.getLogger(__name__)

LOCALES_DIR: Final = Path(__file__).resolve().parent / "locales"
DOMAINS: Final = ("bot", "backend")


class MissingMessage(KeyError):
    """A key that no catalogue of the domain has, not even English."""


@dataclass(frozen=True)
class CatalogueProblem:
    """One defect `check_catalogues` found, readable as one line."""

    domain: str
    language: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.domain}/{self.language}: {self.key}: {self.problem}"


def catalogue_path(domain: str, language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def _read(domain: str, language: str) -> Catalog:
    path = catalogue_path(domain, language)
    if not path.exists():
        return Catalog(locale=language, domain=domain)
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


def _compiled(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _keys(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Each translated key and its texts (one, or one per plural form); fuzzy ones left out."""
    found: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        texts = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if all(texts):
            found[str(key)] = tuple(str(text) for text in texts)
    return found


class Translator:
    """The texts of one domain in one language, English behind it for a missing key."""

    def __init__(self, domain: str, language: Language) -> None:
        self.domain = domain
        self.language = language
        catalog = _read(domain, language)
        self._keys = _keys(catalog)
        self._translations = _compiled(catalog)
        self._fallback = None if language == DEFAULT_LANGUAGE else translator(domain, "en")

    def has(self, key: str) -> bool:
        return key in self._keys

    def text(self, key: str, /, **values: object) -> str:
        """The message `key` with its named placeholders filled in."""
        if key not in self._keys:
            return self._fall_back(key).text(key, **values)
        return self._translations.gettext(key).format(**values)

    def plural(self, key: str, count: int, /, **values: object) -> str:
        """The form of `key` that the catalogue's Plural-Forms picks for `count` ({count})."""
        if key not in self._keys:
            return self._fall_back(key).plural(key, count, **values)
        return self._translations.ngettext(key, key, count).format(count=count, **values)

    def _fall_back(self, key: str) -> Translator:
        if self._fallback is None:
            raise MissingMessage(f"{self.domain}: {key}")
        logger.warning(
            "i18n.missing_message", extra={"domain": self.domain, "language": self.language}
        )
        return self._fallback


@lru_cache(maxsize=16)
def translator(domain: str, language: str | None = None) -> Translator:
    """The cached translator of `domain` for `language` (any code; unknown ones read English)."""
    return Translator(domain, normalise_language(language) or DEFAULT_LANGUAGE)


def placeholders(text: str) -> frozenset[str]:
    """The named fields of a str.format text: "{amount} due {date}" -> {"amount", "date"}."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(text)
        if field is not None
    )


def check_catalogues(domain: str) -> list[CatalogueProblem]:
    """Every key missing in a language, every placeholder that differs, every broken text."""
    problems: list[CatalogueProblem] = []
    catalogs = {language: _read(domain, language) for language in LANGUAGES}
    keys = {language: _keys(catalog) for language, catalog in catalogs.items()}
    every_key = set().union(*keys.values())
    for language, catalog in catalogs.items():
        if not catalogue_path(domain, language).exists():
            problems.append(CatalogueProblem(domain, language, "-", "catalogue file missing"))
            continue
        for key in sorted(every_key - set(keys[language])):
            problems.append(CatalogueProblem(domain, language, key, "missing or untranslated"))
        for key, texts in keys[language].items():
            problems += _text_problems(domain, language, key, texts, catalog.num_plurals)
    for key in sorted(set.intersection(*(set(k) for k in keys.values()))):
        expected = _fields(keys[DEFAULT_LANGUAGE][key])
        for language in LANGUAGES:
            found = _fields(keys[language][key])
            if found != expected:
                problems.append(
                    CatalogueProblem(
                        domain, language, key, f"placeholders {sorted(found)} != {sorted(expected)}"
                    )
                )
    return problems


def _fields(texts: tuple[str, ...]) -> frozenset[str]:
    """A message's placeholders; {count} of plural forms may be left out of some forms."""
    found = frozenset().union(*(placeholders(text) for text in texts))
    return found - {"count"} if len(texts) > 1 else found


def _text_problems(
    domain: str, language: str, key: str, texts: tuple[str, ...], num_plurals: int
) -> list[CatalogueProblem]:
    problems = []
    if len(texts) > 1 and len(texts) != num_plurals:
        problems.append(
            CatalogueProblem(domain, language, key, f"{len(texts)} plural forms, {num_plurals}")
        )
    for text in texts:
        try:
            placeholders(text)
        except ValueError as error:
            problems.append(CatalogueProblem(domain, language, key, f"broken text: {error}"))
    return problems
