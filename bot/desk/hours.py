"""Opening hours of the desk and the callback windows offered inside them.

`DESK_OPENING_HOURS` is one or more ranges separated by `;`, each a set of days and a time span
in `DESK_TIMEZONE` (default Europe/Ljubljana):

    Mon-Sun 00:00-24:00                 (the default: always open)
    Mon-Fri 08:00-18:00; Sat 09:00-13:00
    Mon,Wed,Fri 08:00-12:00              (day lists; ranges may wrap: Fri-Mon)

Days are written `Mon`..`Sun`; `24:00` ends a day; a span never crosses midnight (write two
ranges instead). Touching or overlapping spans merge, so an always-open desk is one interval.

Callback windows are two-hour slots, the next three inside opening hours, starting on the next
whole hour (local time) or when the desk opens; an opening span shorter than two hours is one
window of its own length. Times are stored and returned in UTC; labels are local
("Today 15:00-17:00", "Tomorrow 08:00-10:00", "Mon 30 Nov 08:00-10:00").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.language import Language
from bot.core.texts import Texts
from bot.settings import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from collections.abc import Iterator

DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WINDOW: Final = timedelta(hours=2)
SEARCH_DAYS: Final = 15  # how far ahead windows are looked for
_DAY_LOOKUP: Final = {name.lower(): index for index, name in enumerate(DAY_NAMES)}
_RANGE = re.compile(
    r"(?P<days>[A-Za-z,\- ]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})"
)
_DAY_MINUTES: Final = 24 * 60

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class OpeningRange:
    """Days (0 = Monday) and a span in minutes after local midnight (`end` up to 1440)."""

    days: frozenset[int]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CallbackWindow:
    start: datetime  # UTC
    end: datetime
    label: str


@dataclass(frozen=True, slots=True)
class OpeningHours:
    ranges: tuple[OpeningRange, ...]
    zone: ZoneInfo

    def intervals(self, since: datetime, days: int = SEARCH_DAYS) -> Iterator[Interval]:
        """Open intervals (UTC, merged, in order) that end after `since`, for `days` days."""
        first = since.astimezone(self.zone).date() - timedelta(days=1)
        spans: list[Interval] = []
        for offset in range(days + 2):
            day = first + timedelta(days=offset)
            spans.extend(
                (self._at(day, item.start), self._at(day, item.end))
                for item in self.ranges
                if day.weekday() in item.days
            )
        merged: list[Interval] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return (span for span in merged if span[1] > since)

    def is_open(self, moment: datetime) -> bool:
        """Whether `moment` falls inside opening hours."""
        return any(start <= moment < end for start, end in self.intervals(moment, days=1))

    def _at(self, day: date, minutes: int) -> datetime:
        """Local wall-clock time `minutes` after midnight of `day` (24:00: next midnight)."""
        if minutes == _DAY_MINUTES:
            day, minutes = day + timedelta(days=1), 0
        return datetime.combine(day, time(minutes // 60, minutes % 60), self.zone).astimezone(UTC)


def _minutes(text: str, *, is_end: bool) -> int:
    hours_text, minutes_text = text.split(":")
    hours, minutes = int(hours_text), int(minutes_text)
    total = hours * 60 + minutes
    if minutes >= 60 or total > _DAY_MINUTES or (total == _DAY_MINUTES and not is_end):
        raise ValueError(f"not a time of day: {text!r}")
    return total


def _day(name: str) -> int:
    try:
        return _DAY_LOOKUP[name.strip().lower()]
    except KeyError:
        raise ValueError(f"not a day: {name.strip()!r} (write Mon, Tue, ... Sun)") from None


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for item in text.split(","):
        first, _, last = item.partition("-")
        start = _day(first)
        end = _day(last) if last else start
        days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    return frozenset(days)


def parse_opening_hours(text: str, timezone: str = DEFAULT_TIMEZONE) -> OpeningHours:
    """Parse DESK_OPENING_HOURS in `timezone`; raises ValueError naming what is wrong."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone: {timezone!r}") from None
    ranges = []
    for part in (piece.strip() for piece in text.split(";")):
        if not part:
            continue
        match = _RANGE.fullmatch(part)
        if match is None:
            raise ValueError(f"expected ranges like 'Mon-Fri 08:00-18:00', got {part!r}")
        start = _minutes(match["start"], is_end=False)
        end = _minutes(match["end"], is_end=True)
        if end <= start:
            raise ValueError(f"{part!r} ends before it starts (split ranges at midnight)")
        ranges.append(OpeningRange(_days(match["days"]), start, end))
    if not ranges:
        raise ValueError("opening hours need at least one range, e.g. 'Mon-Sun 00:00-24:00'")
    return OpeningHours(tuple(ranges), zone)


def _next_whole_hour(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    floor = local.replace(minute=0, second=0, microsecond=0)
    return (floor if floor == local else floor + timedelta(hours=1)).astimezone(UTC)


def window_label(
    start: datetime,
    end: datetime,
    now: datetime,
    zone: ZoneInfo,
    language: Language = Language.EN,
) -> str:
    """'Today 15:00-17:00', 'Tomorrow ...' or 'Mon 30 Nov ...' in local time ('Danes ...',
    'Jutri ...', 'pon., 30. 11. ...' in Slovenian)."""
    texts = Texts(language)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    days = (local_start.date() - now.astimezone(zone).date()).days
    times = {"start": f"{local_start:%H:%M}", "end": f"{local_end:%H:%M}"}
    if days in (0, 1):
        return texts("callback.today" if days == 0 else "callback.tomorrow", **times)
    return texts("callback.day", day=texts.weekday(local_start.date()), **times)


def callback_windows(hours: OpeningHours, now: datetime, count: int = 3) -> list[CallbackWindow]:
    """The next `count` two-hour windows inside opening hours (see the module docstring)."""
    earliest = _next_whole_hour(now, hours.zone)
    windows: list[CallbackWindow] = []
    for open_at, close_at in hours.intervals(now):
        start = max(open_at, earliest)
        if close_at - open_at < WINDOW and start == open_at:
            windows.append(_window(start, close_at, now, hours.zone))
        while start + WINDOW <= close_at and len(windows) < count:
            windows.append(_window(start, start + WINDOW, now, hours.zone))
            start += WINDOW
        if len(windows) >= count:
            break
    return windows[:count]


def _window(start: datetime, end: datetime, now: datetime, zone: ZoneInfo) -> CallbackWindow:
    return CallbackWindow(start=start, end=end, label=window_label(start, end, now, zone))
