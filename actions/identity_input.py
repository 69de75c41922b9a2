"""Reading an account number, a date of birth, a postcode or an invoice amount out of what the
customer typed.

This only normalises input ("March 14th 85" -> 1985-03-14); whether it matches the account is
decided by the back end. Nothing here logs or stores what it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from privacy.masking import date_spans

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    # Slovenian, in any case ("marec", "marca", "14. maja", "avgusta", "oktobra"); the others
    # share their first three letters with English (jan, feb, mar, apr, jun, jul, sep, nov, dec).
    "maj": 5,
    "avg": 8,
    "okt": 10,
}

_ACCOUNT_NUMBER = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_POSTCODE = re.compile(r"(?<![\d.,/-])(\d{4})(?![\d.,/-])")
# "54.17", "54,17", "€54.17", "54.17 eur", "54 euros"; not part of a longer number or a date.
_AMOUNT = re.compile(
    r"(?<![\d.,])(?:€|\beur\b)?\s*(\d{1,6})(?:[.,](\d{1,2}))?(?![.,]?\d)", re.IGNORECASE
)
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_SEPARATOR = r"(?:\s*[./-]\s*|\s+)"  # "14.3.1985", "14. 3. 1985", "14/03/85", "14 07 1961"
_NUMERIC = re.compile(
    rf"(?<!\d)(\d{{1,2}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d{{4}}|\d{{2}})(?!\d)"
)
_COMPACT = re.compile(r"(?<!\d)(\d{8})(?!\d)")  # 14071961 or 19610714, as the masking rule reads
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th|\.)?"  # "14th", and "14." as Slovenians write it
_MONTH = r"([a-z]{3,9})\.?"
_YEAR = r"(\d{4}|'?\d{2})"
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d){_ORDINAL}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}(?!\d)", re.IGNORECASE
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH}\s+(?:the\s+)?{_ORDINAL},?\s+{_YEAR}(?!\d)", re.IGNORECASE
)

# Every way of writing a full date that parse_date understands (also used to redact stored text).
DATE_PATTERNS = (_ISO, _NUMERIC, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR)


@dataclass(frozen=True)
class KnowledgeFactor:
    kind: Literal["date_of_birth", "postcode"]
    value: str  # ISO date or the postcode digits


def find_account_number(text: str) -> str | None:
    match = _ACCOUNT_NUMBER.search(text)
    return match.group(1) if match else None


def find_knowledge_factor(
    text: str, *, today: date, postcode_expected: bool
) -> KnowledgeFactor | None:
    """A date of birth anywhere in the text, else a 4-digit postcode when one is expected."""
    birth_date = parse_date(text, today=today)
    if birth_date is not None:
        return KnowledgeFactor("date_of_birth", birth_date.isoformat())
    if postcode_expected:
        match = _POSTCODE.search(text)
        if match:
            return KnowledgeFactor("postcode", match.group(1))
    return None


def find_invoice_amount(text: str) -> str | None:
    """The first amount of money in the text as "54.17" (cents padded: "54,1" is "54.10")."""
    match = _AMOUNT.search(text)
    if match is None:
        return None
    whole, cents = match.groups()
    return f"{int(whole)}.{(cents or '0').ljust(2, '0')}"


def parse_date(text: str, *, today: date) -> date | None:
    """A full calendar date written in any of the usual ways, or None.

    What counts as a date is the masking rule's (privacy.masking.date_spans: the same text is
    masked in logs and stores); this reads the first such date that is a real calendar day.
    "14. 3. 1985", "14.3.1985", "14. marec 1985", "14. marca 1985", "March 14th 85", "1985-03-14".
    """
    for start, end in date_spans(text):
        found = _parse_one_date(text[start:end], today)
        if found is not None:
            return found
    return None


def _parse_one_date(text: str, today: date) -> date | None:
    if match := _ISO.search(text):
        year, month, day = (int(part) for part in match.groups())
        return _safe_date(year, month, day)
    if match := _NUMERIC.search(text):
        first, second, year_text = match.groups()
        day, month = int(first), int(second)
        if month > 12 >= day:  # 3/14/1985 is American month-first
            day, month = month, day
        return _safe_date(_full_year(year_text, today), month, day)
    if match := _COMPACT.search(text):
        digits = match.group(1)
        return _safe_date(int(digits[4:]), int(digits[2:4]), int(digits[:2])) or _safe_date(
            int(digits[:4]), int(digits[4:6]), int(digits[6:])
        )
    if match := _DAY_MONTH_YEAR.search(text):
        day_text, month_text, year_text = match.groups()
        return _named_month_date(day_text, month_text, year_text, today)
    if match := _MONTH_DAY_YEAR.search(text):
        month_text, day_text, year_text = match.groups()
        return _named_month_date(day_text, month_text, year_text, today)
    return None


def _named_month_date(day_text: str, month_text: str, year_text: str, today: date) -> date | None:
    month = MONTHS.get(month_text.lower()[:3])
    if month is None:
        return None
    return _safe_date(_full_year(year_text, today), month, int(day_text))


def _full_year(year_text: str, today: date) -> int:
    digits = year_text.lstrip("'")
    if len(digits) == 4:
        return int(digits)
    two = int(digits)
    return 2000 + two if 2000 + two <= today.year else 1900 + two


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
