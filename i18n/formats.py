"""Amounts and dates as each language writes them, with Babel (CLDR data).

    money("54.17", "sl")          -> "54,17 €"       money("54.17", "en") -> "54.17 EUR"
    date_short("2026-11-30", "sl") -> "30. 11. 2026"  date_short(..., "en") -> "30 Nov 2026"
    date_long("2026-11-30", "sl")  -> "30. novembra 2026"  (month declined, genitive)
    month_year("2026-10-01", "sl") -> "oktober 2026"  month_year(..., "en") -> "October 2026"

Babel puts a no-break space between a number and its currency; the product writes a plain
space, the way customers type amounts and the way every channel (SMS, Slack...) shows them.
English keeps the formats the product has always used ("39.90 EUR", "30 Nov 2026").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Final

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from i18n.languages import Language, normalise_language

_MONEY_PATTERN: Final[dict[Language, str | None]] = {
    "en": "0.00 ¤¤",  # "-10.00 EUR", as the product has always written amounts in English
    "sl": None,  # CLDR's Slovenian pattern: "1.234,56 €"
}
_LOCALE: Final[dict[Language, str]] = {"en": "en", "sl": "sl_SI"}
_SHORT_DATE: Final[dict[Language, str]] = {"en": "d MMM y", "sl": "d. M. y"}
_MONTH_YEAR: Final[dict[Language, str]] = {"en": "MMMM y", "sl": "LLLL y"}
# CLDR gives Slovenian months only in the nominative ("november"); a date says "30. novembra".
_SL_MONTHS_GENITIVE: Final = (
    "januarja",
    "februarja",
    "marca",
    "aprila",
    "maja",
    "junija",
    "julija",
    "avgusta",
    "septembra",
    "oktobra",
    "novembra",
    "decembra",
)


def _language(language: str | None) -> Language:
    return normalise_language(language) or "en"


def _date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def money(amount: Decimal | str | int, language: str | None, currency: str = "EUR") -> str:
    """An amount with its currency, two decimals, as `language` writes it."""
    lang = _language(language)
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    text = format_currency(
        value, currency, format=_MONEY_PATTERN[lang], locale=_LOCALE[lang], currency_digits=False
    )
    return text.replace("\xa0", " ").replace("\u202f", " ")


def date_short(value: date | datetime | str, language: str | None) -> str:
    """ "30. 11. 2026" (sl), "30 Nov 2026" (en)."""
    lang = _language(language)
    return format_date(_date(value), _SHORT_DATE[lang], locale=_LOCALE[lang])


def date_long(value: date | datetime | str, language: str | None) -> str:
    """ "30. novembra 2026" (sl), "30 November 2026" (en)."""
    day = _date(value)
    return f"{_day_and_month_name(day, language)} {day.year}"


def _day_and_month_name(day: date, language: str | None) -> str:
    """The day and the month's name: "30. novembra" (sl, the month declined), "30 November"."""
    if _language(language) == "sl":
        return f"{day.day}. {_SL_MONTHS_GENITIVE[day.month - 1]}"
    return format_date(day, "d MMMM", locale="en")


def month_year(value: date | datetime | str, language: str | None) -> str:
    """ "oktober 2026" (sl), "October 2026" (en)."""
    lang = _language(language)
    return format_date(_date(value), _MONTH_YEAR[lang], locale=_LOCALE[lang])


def day_month(value: date | datetime | str, language: str | None) -> str:
    """ "15. marca" (sl), "15 March" (en): a date's day and month, for the start of a range."""
    return _day_and_month_name(_date(value), language)


def number(value: Decimal | int, language: str | None) -> str:
    """A quantity without trailing zeros or grouping: "2,5" (sl), "2.5" (en), "1234.5"."""
    lang = _language(language)
    return format_decimal(value, format="0.######", locale=_LOCALE[lang])
