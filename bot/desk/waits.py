"""How long a customer at position k of the queue will wait (docs/desk-api.md, "Queue and waits").

    conditions = queue_conditions(session, now, config)
    conditions.estimate(position=2)         # seconds, or None when no agent is on duty

* agents on duty N: `on_duty`, logged in (a live desk session) and seen in the last 2 minutes;
* average handle time AHT: claim -> resolve of the last 20 resolved tickets
  (DESK_DEFAULT_HANDLE_SECONDS without any);
* traffic A = arrivals in the last hour x AHT / 3600 (Erlangs);
* F free agents (on duty, no claimed ticket) take positions 1..F at once; for the others
  share = (k - F) x AHT / N;
* A < N: estimate = max(ASA, share), ASA from Erlang C; A >= N (unstable): share;
* times the correction factor = mean observed wait / mean estimate over the last 20 answered
  tickets that had an estimate, clipped to 0.5-3 (1 without history).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import exists, func, select

from bot.desk.config import ON_DUTY_SEEN_SECONDS
from bot.desk.erlang import average_speed_of_answer
from bot.desk.models import Agent, AgentSession, HandoffTicket
from bot.desk.types import FINISHED_STATUSES, TicketStatus

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig

HISTORY: Final = 20  # tickets behind the handle time and the correction factor
MIN_CORRECTION, MAX_CORRECTION = 0.5, 3.0


def estimate_wait(
    position: int,
    agents: int,
    traffic: float,
    handle_seconds: float,
    correction: float = 1.0,
    free_agents: int = 0,
) -> int | None:
    """The estimate in whole seconds (rounded up) for `position` (1 = next); None without agents.

    `free_agents` (on duty, not handling a ticket) take the first positions: those wait only the
    Erlang C average speed of answer; the others wait for their share of busy agents' handle time.
    """
    if agents <= 0:
        return None
    if position < 1:
        raise ValueError("queue positions start at 1")
    ahead = position - min(max(free_agents, 0), agents)
    share = max(ahead, 0) * handle_seconds / agents
    asa = 0.0 if traffic >= agents else average_speed_of_answer(traffic, agents, handle_seconds)
    base = share if traffic >= agents else max(asa, share)
    return math.ceil(round(base * correction, 6))


@dataclass(frozen=True, slots=True)
class QueueConditions:
    """What the estimate is made of, read once for all waiting customers."""

    agents_on_duty: int
    arrivals_last_hour: int
    handle_seconds: float
    correction: float
    busy_agents: int = 0  # agents on duty with a claimed ticket

    @property
    def traffic(self) -> float:
        """Offered load in Erlangs."""
        return self.arrivals_last_hour * self.handle_seconds / 3600

    def estimate(self, position: int) -> int | None:
        free = max(self.agents_on_duty - self.busy_agents, 0)
        return estimate_wait(
            position,
            self.agents_on_duty,
            self.traffic,
            self.handle_seconds,
            self.correction,
            free_agents=free,
        )


def agents_on_duty(session: Session, now: datetime) -> int:
    """Agents on duty, with a live desk session, seen in the last two minutes."""
    logged_in = exists().where(
        AgentSession.agent_id == Agent.id,
        AgentSession.ended_at.is_(None),
        AgentSession.expires_at > now,
    )
    count = session.scalar(
        select(func.count())
        .select_from(Agent)
        .where(
            Agent.on_duty.is_(True),
            Agent.last_seen_at >= now - timedelta(seconds=ON_DUTY_SEEN_SECONDS),
            logged_in,
        )
    )
    return int(count or 0)


def arrivals_last_hour(session: Session, now: datetime) -> int:
    """Tickets opened in the hour up to `now` (whatever became of them)."""
    count = session.scalar(
        select(func.count())
        .select_from(HandoffTicket)
        .where(HandoffTicket.created_at > now - timedelta(hours=1), HandoffTicket.created_at <= now)
    )
    return int(count or 0)


def average_handle_seconds(session: Session, default_seconds: float) -> float:
    """Mean claim -> resolve time of the last 20 resolved tickets (`default_seconds` if none)."""
    rows = session.execute(
        select(HandoffTicket.claimed_at, HandoffTicket.resolved_at)
        .where(
            HandoffTicket.status.in_(FINISHED_STATUSES),
            HandoffTicket.claimed_at.is_not(None),
            HandoffTicket.resolved_at.is_not(None),
        )
        .order_by(HandoffTicket.resolved_at.desc(), HandoffTicket.id.desc())
        .limit(HISTORY)
    ).all()
    durations = [
        (resolved - claimed).total_seconds()
        for claimed, resolved in rows
        if claimed is not None and resolved is not None
    ]
    if not durations:
        return float(default_seconds)
    return max(1.0, sum(durations) / len(durations))


def correction_factor(session: Session) -> float:
    """Mean observed / mean estimated wait of the last 20 answered tickets with an estimate."""
    rows = session.execute(
        select(
            HandoffTicket.created_at,
            HandoffTicket.claimed_at,
            HandoffTicket.estimated_wait_seconds,
        )
        .where(
            HandoffTicket.claimed_at.is_not(None),
            HandoffTicket.estimated_wait_seconds.is_not(None),
            HandoffTicket.callback_start.is_(None),  # a callback's wait was chosen, not queued
        )
        .order_by(HandoffTicket.claimed_at.desc(), HandoffTicket.id.desc())
        .limit(HISTORY)
    ).all()
    pairs = [
        ((claimed - created).total_seconds(), float(estimate))
        for created, claimed, estimate in rows
        if claimed is not None and estimate is not None
    ]
    if not pairs:
        return 1.0
    observed = sum(wait for wait, _ in pairs)
    estimated = sum(estimate for _, estimate in pairs)
    if estimated <= 0:
        return 1.0
    return min(MAX_CORRECTION, max(MIN_CORRECTION, observed / estimated))


def queue_conditions(session: Session, now: datetime, config: DeskConfig) -> QueueConditions:
    """Everything an estimate needs, read from the tickets and agents at `now`."""
    return QueueConditions(
        agents_on_duty=agents_on_duty(session, now),
        arrivals_last_hour=arrivals_last_hour(session, now),
        handle_seconds=average_handle_seconds(session, config.default_handle_seconds),
        correction=correction_factor(session),
        busy_agents=busy_agents(session),
    )


def busy_agents(session: Session) -> int:
    """Agents handling a ticket now (one claimed ticket or more)."""
    count = session.scalar(
        select(func.count(func.distinct(HandoffTicket.claimed_by))).where(
            HandoffTicket.status == TicketStatus.CLAIMED
        )
    )
    return int(count or 0)
