"""The back end's customer-facing wording in one language: the `backend` catalogue of i18n/.

Services write `texts("explanation.line.tax", percent=texts.number(rate))` and `texts.money(cents)`;
the route's language dependency (bot.api.deps.get_texts) picks the language once per request.
A `Phrase` is wording kept for later (a review finding is stored, then read in any language):
its key and typed values, rendered by `Texts.render`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, get_currency_symbol

from bot.core.language import DEFAULT_LANGUAGE, Language
from bot.core.money import CURRENCY, to_decimal
from i18n import Translator, date_long, date_short, money, month_year, translator
from i18n.formats import day_month, number

DOMAIN = "backend"
_LOCALES = {Language.EN: "en", Language.SL: "sl_SI"}


@dataclass(frozen=True, slots=True)
class Money:
    cents: int
    currency: str = CURRENCY


@dataclass(frozen=True, slots=True)
class Day:
    day: date


@dataclass(frozen=True, slots=True)
class Span:
    start: date
    end: date


PhraseValue = str | int | Decimal | Money | Day | Span


@dataclass(frozen=True, slots=True)
class Phrase:
    """A catalogue key with its values, rendered in whatever language is asked for later."""

    key: str
    values: Mapping[str, PhraseValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "values": {k: _encode(v) for k, v in self.values.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phrase:
        values = data.get("values") or {}
        return cls(str(data["key"]), {str(k): _decode(v) for k, v in values.items()})


def _encode(value: PhraseValue) -> object:
    match value:
        case Money(cents, currency):
            return {"money": cents, "currency": currency}
        case Day(day):
            return {"day": day.isoformat()}
        case Span(start, end):
            return {"span": [start.isoformat(), end.isoformat()]}
        case Decimal():
            return {"number": str(value)}
        case _:
            return value


def _decode(value: object) -> PhraseValue:
    if isinstance(value, dict):
        if "money" in value:
            return Money(int(value["money"]), str(value.get("currency", CURRENCY)))
        if "day" in value:
            return Day(date.fromisoformat(value["day"]))
        if "span" in value:
            start, end = value["span"]
            return Span(date.fromisoformat(start), date.fromisoformat(end))
        if "number" in value:
            return Decimal(value["number"])
    if isinstance(value, int | str):
        return value
    return str(value)


class Texts:
    """Catalogue texts, amounts and dates in one language."""

    __slots__ = ("_translator", "language")

    def __init__(self, language: Language = DEFAULT_LANGUAGE) -> None:
        self.language = language
        self._translator: Translator = translator(DOMAIN, language.value)

    def __call__(self, key: str, /, **values: object) -> str:
        return self._translator.text(key, **values)

    def plural(self, key: str, count: int, /, **values: object) -> str:
        return self._translator.plural(key, count, **values)

    def has(self, key: str) -> bool:
        return self._translator.has(key)

    def money(self, cents: int, currency: str = CURRENCY) -> str:
        """ "54,17 €" (sl), "54.17 EUR" (en)."""
        return money(to_decimal(cents), self.language.value, currency)

    def amount(self, cents: int) -> str:
        """An amount without its currency: "39,90" (sl), "39.90" (en)."""
        return format_decimal(to_decimal(cents), "0.00", locale=_LOCALES[self.language])

    def currency(self, code: str = CURRENCY) -> str:
        """How the language writes a currency next to `amount`: "€" (sl), "EUR" (en)."""
        if self.language is Language.EN:
            return code
        return get_currency_symbol(code, locale=_LOCALES[self.language])

    def day(self, day: date) -> str:
        """ "30. novembra 2026" (sl), "30 November 2026" (en)."""
        return date_long(day, self.language.value)

    def short_day(self, day: date) -> str:
        """ "30. 11. 2026" (sl), "30 Nov 2026" (en)."""
        return date_short(day, self.language.value)

    def weekday(self, day: date) -> str:
        """ "pon., 30. 11." (sl), "Mon 30 Nov" (en): a day of the next few."""
        pattern = "EEE d MMM" if self.language is Language.EN else "EEE, d. M."
        return format_date(day, pattern, locale=_LOCALES[self.language])

    def month(self, day: date) -> str:
        """ "oktober 2026" (sl), "October 2026" (en)."""
        return month_year(day, self.language.value)

    def number(self, value: Decimal | int) -> str:
        """ "2,5" (sl), "2.5" (en)."""
        return number(value, self.language.value)

    def span(self, start: date, end: date) -> str:
        """ "1.–31. oktobra 2026" / "1–31 October 2026"; "15. marca – 14. aprila 2026"."""
        last = self.day(end)
        if (start.year, start.month) == (end.year, end.month):
            return self("range.same_month", first=start.day, last=last)
        if start.year == end.year:
            first = day_month(start, self.language.value)
            return self("range.same_year", first=first, last=last)
        return self("range.years", first=self.day(start), last=last)

    def render(self, phrase: Phrase) -> str:
        return self(phrase.key, **{k: self._value(v) for k, v in phrase.values.items()})

    def _value(self, value: PhraseValue) -> str:
        match value:
            case Money(cents, currency):
                return self.money(cents, currency)
            case Day(day):
                return self.day(day)
            case Span(start, end):
                return self.span(start, end)
            case Decimal():
                return self.number(value)
            case _:
                return str(value)


def texts_for(language: Language | str | None) -> Texts:
    """Texts in `language`; English for None or a language we do not speak."""
    try:
        return Texts(Language(language)) if language else Texts()
    except ValueError:
        return Texts()


def product_name(texts: Texts, name: str) -> str:
    """A fee's or add-on's name as the billing system stores it ("Wi-Fi router"), in the texts'
    language when the catalogue knows it (key `name.wi_fi_router`), else as stored."""
    key = "name." + "_".join(re.findall(r"[a-z0-9]+", name.lower()))
    return texts(key) if texts.has(key) else name
