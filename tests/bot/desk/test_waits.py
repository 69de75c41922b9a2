"""Wait estimates (docs/desk-api.md "Queue and waits") on fabricated tickets and fixed clocks."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update

from bot.desk.erlang import average_speed_of_answer
from bot.desk.models import AgentSession
from bot.desk.types import TicketStatus
from bot.desk.waits import (
    agents_on_duty,
    arrivals_last_hour,
    average_handle_seconds,
    correction_factor,
    estimate_wait,
    queue_conditions,
)
from tests.bot.conftest import NOW
from tests.bot.desk import helpers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.desk.config import DeskConfig


def test_no_estimate_without_agents() -> None:
    assert estimate_wait(1, agents=0, traffic=0.5, handle_seconds=300) is None


def test_a_light_queue_waits_its_share_of_handle_time() -> None:
    # A = 0.5 with 2 agents: ASA is a few seconds, so position k waits k x AHT / N.
    assert estimate_wait(1, agents=2, traffic=0.5, handle_seconds=300) == 150
    assert estimate_wait(3, agents=2, traffic=0.5, handle_seconds=300) == 450


def test_a_busy_queue_waits_the_erlang_c_average() -> None:
    asa = average_speed_of_answer(1.9, 2, 300)
    assert asa > 150  # busier than one share of handle time
    assert estimate_wait(1, agents=2, traffic=1.9, handle_seconds=300) == int(asa) + 1


def test_an_unstable_queue_waits_position_times_handle_time_per_agent() -> None:
    assert estimate_wait(4, agents=2, traffic=2.0, handle_seconds=300) == 600
    assert estimate_wait(4, agents=2, traffic=5.0, handle_seconds=300) == 600


def test_free_agents_answer_the_first_positions_at_once() -> None:
    asa = math.ceil(round(average_speed_of_answer(0.5, 2, 300), 6))  # 20 s
    # Both agents free: positions 1 and 2 wait only Erlang C's average speed of answer.
    assert estimate_wait(1, agents=2, traffic=0.5, handle_seconds=300, free_agents=2) == asa
    assert estimate_wait(2, agents=2, traffic=0.5, handle_seconds=300, free_agents=2) == asa
    # Position 3 waits for one of two busy agents: (3 - 2) x 300 / 2.
    assert estimate_wait(3, agents=2, traffic=0.5, handle_seconds=300, free_agents=2) == 150
    # One free agent: position 2 waits one share.
    assert estimate_wait(2, agents=2, traffic=0.5, handle_seconds=300, free_agents=1) == 150
    # More "free" agents than on duty (stale claims) cannot make a negative wait.
    assert estimate_wait(1, agents=1, traffic=0.0, handle_seconds=300, free_agents=5) == 0


def test_the_correction_factor_scales_and_rounds_up() -> None:
    assert estimate_wait(1, agents=2, traffic=0.5, handle_seconds=300, correction=1.5) == 225
    assert estimate_wait(1, agents=3, traffic=0.5, handle_seconds=100, correction=1.0) == 34
    with pytest.raises(ValueError, match="start at 1"):
        estimate_wait(0, agents=1, traffic=0, handle_seconds=300)


def test_who_counts_as_on_duty(session: Session) -> None:
    helpers.agent(session, NOW)
    helpers.agent(session, NOW, seen_ago=timedelta(seconds=119))
    helpers.agent(session, NOW, seen_ago=timedelta(minutes=3))  # gone quiet
    helpers.agent(session, NOW, on_duty=False)
    helpers.agent(session, NOW, logged_in=False)  # on duty but logged out
    ended = helpers.agent(session, NOW)
    session.execute(
        update(AgentSession).where(AgentSession.agent_id == ended.id).values(ended_at=NOW)
    )
    session.commit()
    assert agents_on_duty(session, NOW) == 2


def test_arrivals_in_the_last_hour(session: Session) -> None:
    for minutes in (1, 30, 59, 61, 120):
        helpers.ticket(session, NOW - timedelta(minutes=minutes), status=TicketStatus.RESOLVED)
    helpers.ticket(session, NOW)
    assert arrivals_last_hour(session, NOW) == 4


def test_handle_time_of_the_last_twenty_resolved_tickets(session: Session) -> None:
    assert average_handle_seconds(session, 300) == 300  # no history: the default
    for index in range(25):  # the 5 oldest took 1000 s, the 20 newest 100 s
        claimed = NOW - timedelta(hours=30 - index)
        helpers.ticket(
            session,
            claimed - timedelta(minutes=1),
            status=TicketStatus.CLOSED if index % 2 else TicketStatus.RESOLVED,
            claimed_at=claimed,
            resolved_at=claimed + timedelta(seconds=1000 if index < 5 else 100),
        )
    helpers.ticket(session, NOW, status=TicketStatus.CLAIMED, claimed_at=NOW)
    assert average_handle_seconds(session, 300) == 100


@pytest.mark.parametrize(
    ("observed", "estimated", "factor"),
    [(120, 60, 2.0), (600, 60, 3.0), (3, 60, 0.5), (60, 60, 1.0)],
)
def test_correction_factor_is_clipped(
    session: Session, observed: int, estimated: int, factor: float
) -> None:
    assert correction_factor(session) == 1.0  # no history
    for index in range(3):
        created = NOW - timedelta(hours=2, minutes=index)
        helpers.ticket(
            session,
            created,
            status=TicketStatus.RESOLVED,
            claimed_at=created + timedelta(seconds=observed),
            resolved_at=created + timedelta(minutes=10),
            estimated_wait_seconds=estimated,
        )
    # Neither a ticket without an estimate nor a callback counts.
    helpers.ticket(session, NOW, status=TicketStatus.CLAIMED, claimed_at=NOW + timedelta(hours=1))
    callback = NOW - timedelta(hours=5)
    helpers.ticket(
        session,
        callback,
        status=TicketStatus.CLAIMED,
        claimed_at=callback + timedelta(hours=3),
        estimated_wait_seconds=60,
        callback_start=callback + timedelta(hours=3),
        callback_end=callback + timedelta(hours=5),
    )
    assert correction_factor(session) == pytest.approx(factor)


def test_conditions_put_together(session: Session, config: DeskConfig) -> None:
    helpers.agent(session, NOW)
    helpers.agent(session, NOW)
    for minutes in range(0, 60, 10):  # 6 arrivals in the last hour
        helpers.ticket(session, NOW - timedelta(minutes=minutes))
    conditions = queue_conditions(session, NOW, config)
    assert (conditions.agents_on_duty, conditions.arrivals_last_hour) == (2, 6)
    assert conditions.traffic == pytest.approx(0.5)  # 6 an hour x 300 s
    # The six tickets are queued, nobody handles one: both agents are free for positions 1-2
    # (Erlang C's 20 s), position 6 waits (6 - 2) x 300 s / 2.
    assert conditions.estimate(1) == 20
    assert conditions.estimate(6) == 600
