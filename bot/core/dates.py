"""Calendar helpers for billing months and for dates written in sentences."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


@lru_cache(maxsize=4096)
def _month_length(year: int, month: int) -> int:
    """Days in the month (cached: `bot seed` asks millions of times for a few hundred months)."""
    return calendar.monthrange(year, month)[1]


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=_month_length(day.year, day.month))


def days_in_month(day: date) -> int:
    """How many days `day`'s month has."""
    return _month_length(day.year, day.month)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the target month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _month_length(year, month + 1)
    return date(year, month + 1, min(day.day, last))


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start`'s month to `end`'s month."""
    return (end.year - start.year) * 12 + end.month - start.month


def next_day(day: date) -> date:
    """The day after `day`."""
    return day + timedelta(days=1)


def format_day(day: date) -> str:
    """Like "31 August 2026"."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def format_month(day: date) -> str:
    """Like "October 2026"."""
    return f"{calendar.month_name[day.month]} {day.year}"


def format_range(start: date, end: date) -> str:
    """Like "1–31 October 2026", "15 March – 14 April 2026" or "5 May 2025 – 4 May 2026"."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {format_month(start)}"
    if start.year == end.year:
        return f"{start.day} {calendar.month_name[start.month]} – {format_day(end)}"
    return f"{format_day(start)} – {format_day(end)}"


# Billing months a client may ask about. Beyond them a month's neighbours (used to select its
# invoices) leave the calendar `date` can hold, and no bill is that old or that far ahead.
FIRST_MONTH = date(1900, 1, 1)
LAST_MONTH = date(2999, 12, 1)
MONTH_PATTERN = r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$"  # YYYY-MM from FIRST_MONTH to LAST_MONTH


def parse_month(text: str) -> date:
    """`YYYY-MM` as the month's first day; ValueError unless a month FIRST_MONTH..LAST_MONTH."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValueError("expected YYYY-MM")
    if not FIRST_MONTH.year <= int(found.group(1)) <= LAST_MONTH.year:
        raise ValueError(f"expected a month from {FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m}")
    return date(int(found.group(1)), int(found.group(2)), 1)
