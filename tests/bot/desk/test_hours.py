"""Opening hours (DESK_OPENING_HOURS in DESK_TIMEZONE) and callback windows, on fixed clocks.

November in Ljubljana is UTC+1; 2026-11-20 is a Friday.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.api.app import create_app
from bot.core.errors import ConfigurationError
from bot.desk.hours import callback_windows, parse_opening_hours
from bot.settings import DEFAULT_OPENING_HOURS, Settings

if TYPE_CHECKING:
    from pathlib import Path

OFFICE = parse_opening_hours("Mon-Fri 08:00-18:00; Sat 09:00-13:00")
ALWAYS = parse_opening_hours(DEFAULT_OPENING_HOURS)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def windows(hours_text: str, now: str) -> list[tuple[str, str, str]]:
    found = callback_windows(parse_opening_hours(hours_text), utc(now))
    return [(w.start.strftime("%Y-%m-%d %H:%M"), w.end.strftime("%H:%M"), w.label) for w in found]


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2026-11-20 06:59", False),  # Fri 07:59 local
        ("2026-11-20 07:00", True),  # Fri 08:00 local
        ("2026-11-20 16:59", True),
        ("2026-11-20 17:00", False),  # Fri 18:00 local
        ("2026-11-21 08:30", True),  # Sat 09:30 local
        ("2026-11-21 12:00", False),  # Sat 13:00 local
        ("2026-11-22 10:00", False),  # Sunday
    ],
)
def test_is_open(moment: str, is_open: bool) -> None:
    assert OFFICE.is_open(utc(moment)) is is_open


def test_always_open_by_default() -> None:
    assert ALWAYS.is_open(utc("2026-11-22 03:00"))
    assert ALWAYS.is_open(utc("2026-11-22 23:59"))


def test_windows_inside_the_day() -> None:
    assert windows("Mon-Fri 08:00-18:00", "2026-11-20 08:20") == [
        ("2026-11-20 09:00", "11:00", "Today 10:00-12:00"),
        ("2026-11-20 11:00", "13:00", "Today 12:00-14:00"),
        ("2026-11-20 13:00", "15:00", "Today 14:00-16:00"),
    ]


def test_windows_after_closing_move_to_the_next_working_day() -> None:
    # Friday 16:20 local: 17:00-19:00 would end after closing; the weekend is closed.
    assert windows("Mon-Fri 08:00-18:00", "2026-11-20 15:20") == [
        ("2026-11-23 07:00", "09:00", "Mon 23 Nov 08:00-10:00"),
        ("2026-11-23 09:00", "11:00", "Mon 23 Nov 10:00-12:00"),
        ("2026-11-23 11:00", "13:00", "Mon 23 Nov 12:00-14:00"),
    ]


def test_windows_start_when_the_desk_opens() -> None:
    assert windows("Mon-Fri 08:00-18:00", "2026-11-19 22:00")[0] == (
        "2026-11-20 07:00",
        "09:00",
        "Tomorrow 08:00-10:00",
    )


def test_always_open_windows_run_past_midnight() -> None:
    assert windows(DEFAULT_OPENING_HOURS, "2026-11-20 21:30") == [
        ("2026-11-20 22:00", "00:00", "Today 23:00-01:00"),
        ("2026-11-21 00:00", "02:00", "Tomorrow 01:00-03:00"),
        ("2026-11-21 02:00", "04:00", "Tomorrow 03:00-05:00"),
    ]


def test_a_short_opening_is_one_window() -> None:
    assert windows("Sat 09:00-10:00", "2026-11-20 10:00") == [
        ("2026-11-21 08:00", "09:00", "Tomorrow 09:00-10:00"),
        ("2026-11-28 08:00", "09:00", "Sat 28 Nov 09:00-10:00"),
        ("2026-12-05 08:00", "09:00", "Sat 5 Dec 09:00-10:00"),
    ]


def test_on_the_hour_the_window_starts_now() -> None:
    assert windows("Mon-Fri 08:00-18:00", "2026-11-20 09:00")[0][0] == "2026-11-20 09:00"


def test_local_time_across_the_clock_change() -> None:
    """Clocks go forward on 2027-03-28: 08:00 local is 07:00 UTC before, 06:00 UTC after."""
    daily = parse_opening_hours("Mon-Sun 08:00-10:00")
    starts = [start for start, _ in daily.intervals(utc("2027-03-26 12:00"), days=2)]
    assert starts[:2] == [utc("2027-03-27 07:00"), utc("2027-03-28 06:00")]


def test_day_lists_and_wrapping_ranges() -> None:
    weekend = parse_opening_hours("Fri-Mon 10:00-12:00")
    assert sorted(weekend.ranges[0].days) == [0, 4, 5, 6]
    listed = parse_opening_hours("mon,wed,FRI 10:00-12:00")
    assert sorted(listed.ranges[0].days) == [0, 2, 4]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "at least one range"),
        ("Mon-Fri 8-18", "expected ranges like"),
        ("Mon-Fri 18:00-08:00", "ends before it starts"),
        ("Mon-Fri 08:00-25:00", "not a time of day"),
        ("Mon-Fri 24:00-24:00", "not a time of day"),
        ("Mon-Fry 08:00-18:00", "not a day"),
    ],
)
def test_bad_opening_hours(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_opening_hours(text)


def test_bad_time_zone() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_opening_hours(DEFAULT_OPENING_HOURS, "Europe/Atlantis")


def test_bad_opening_hours_stop_the_start(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="test",
        database_url=f"sqlite:///{tmp_path / 'b.db'}",
        backend_service_token="t" * 32,
        step_up_secret="s" * 32,
        desk_opening_hours="Mon-Fri 08:00-25:00",
    )
    with pytest.raises(ConfigurationError, match=r"DESK_OPENING_HOURS/DESK_TIMEZONE: .*time"):
        create_app(settings)
