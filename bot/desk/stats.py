"""Supervisor figures over the last `hours` clock hours (GET /desk/api/stats?hours=24).

The window is `hours` whole hours ending with the current one (so `hourly` has exactly `hours`
rows, oldest first); the figures are about the tickets opened in it:

* answered: claimed from the live queue; its wait is created -> claimed;
* abandoned: withdrawn, abandoned, or still queued after DESK_ABANDON_AFTER_MINUTES;
* callbacks are neither (the customer chose to be called later);
* service level: answered within 20 s / (answered + abandoned); abandonment rate: abandoned /
  (answered + abandoned); both None with neither;
* p50/p90 waits: nearest-rank percentiles of the answered tickets' waits, None without any.
Queue length and agents on duty are as of now.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import select

from bot.desk.config import SERVICE_LEVEL_SECONDS
from bot.desk.models import HandoffTicket
from bot.desk.queue import queue_length
from bot.desk.schemas import HourOut, StatsOut
from bot.desk.types import HandoffReason, Outcome, TicketStatus
from bot.desk.waits import agents_on_duty

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig

MAX_HOURS: Final = 24 * 31
_GAVE_UP = (TicketStatus.WITHDRAWN, TicketStatus.ABANDONED)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (`fraction` 0.5 for the median); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class _Row:
    created_at: datetime
    wait_seconds: float | None  # answered: created -> claimed
    abandoned: bool
    reason: HandoffReason
    outcome: Outcome | None


@dataclass(frozen=True, slots=True)
class _Figures:
    handoffs: int
    answered: int
    abandoned: int
    wait_p50: float | None
    wait_p90: float | None
    service_level: float | None
    abandonment: float | None


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


def _figures(rows: Sequence[_Row]) -> _Figures:
    waits = [row.wait_seconds for row in rows if row.wait_seconds is not None]
    abandoned = sum(row.abandoned for row in rows)
    offered = len(waits) + abandoned
    within = sum(wait <= SERVICE_LEVEL_SECONDS for wait in waits)
    return _Figures(
        handoffs=len(rows),
        answered=len(waits),
        abandoned=abandoned,
        wait_p50=_round(percentile(waits, 0.5), 1),
        wait_p90=_round(percentile(waits, 0.9), 1),
        service_level=_round(within / offered, 4) if offered else None,
        abandonment=_round(abandoned / offered, 4) if offered else None,
    )


def _rows(session: Session, since: datetime, now: datetime, config: DeskConfig) -> list[_Row]:
    left_after = now - timedelta(minutes=config.abandon_after_minutes)
    tickets = session.execute(
        select(
            HandoffTicket.created_at,
            HandoffTicket.claimed_at,
            HandoffTicket.callback_start,
            HandoffTicket.status,
            HandoffTicket.reason,
            HandoffTicket.outcome,
        ).where(HandoffTicket.created_at >= since, HandoffTicket.created_at <= now)
    ).all()
    rows = []
    for created, claimed, callback, status, reason, outcome in tickets:
        gave_up = status in _GAVE_UP or (status is TicketStatus.QUEUED and created <= left_after)
        answered = not gave_up and claimed is not None and callback is None
        wait = (claimed - created).total_seconds() if answered and claimed else None
        rows.append(_Row(created, wait, gave_up, reason, outcome))
    return rows


def desk_stats(session: Session, now: datetime, hours: int, config: DeskConfig) -> StatsOut:
    """The figures of the contract over the last `hours` clock hours (1..744)."""
    if not 1 <= hours <= MAX_HOURS:
        raise ValueError(f"hours must be between 1 and {MAX_HOURS}")
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    since = current_hour - timedelta(hours=hours - 1)
    rows = _rows(session, since, now, config)
    total = _figures(rows)
    by_hour: dict[datetime, list[_Row]] = {
        since + timedelta(hours=index): [] for index in range(hours)
    }
    for row in rows:
        by_hour[row.created_at.replace(minute=0, second=0, microsecond=0)].append(row)
    reasons = Counter(row.reason for row in rows)
    outcomes = Counter(row.outcome for row in rows if row.outcome is not None)
    return StatsOut(
        queue_length=queue_length(session),
        agents_on_duty=agents_on_duty(session, now),
        wait_p50_seconds=total.wait_p50,
        wait_p90_seconds=total.wait_p90,
        service_level_20s=total.service_level,
        abandonment_rate=total.abandonment,
        handoffs_by_reason={str(reason): reasons[reason] for reason in HandoffReason},
        outcomes={str(outcome): outcomes[outcome] for outcome in Outcome},
        hourly=[_hour(start, bucket) for start, bucket in by_hour.items()],
    )


def _hour(start: datetime, rows: Sequence[_Row]) -> HourOut:
    figures = _figures(rows)
    return HourOut(
        hour=start,
        handoffs=figures.handoffs,
        answered=figures.answered,
        abandoned=figures.abandoned,
        wait_p50_seconds=figures.wait_p50,
        service_level_20s=figures.service_level,
    )
