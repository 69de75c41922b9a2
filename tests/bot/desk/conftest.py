"""Fixtures of the desk tests.

The seeded database keeps its rows between tests (only rows a test added are deleted), and the
demo agents are seeded rows: `fresh_demo_agents` puts them back off duty and unseen around
every desk test, so no test sees another's agents on duty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import update

from bot.desk.config import DeskConfig
from bot.desk.models import Agent

if TYPE_CHECKING:
    from sqlalchemy import Engine


@pytest.fixture
def config() -> DeskConfig:
    """The documented defaults: always open, 300 s handle time and callback threshold."""
    return DeskConfig()


def _reset_agents(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(Agent).values(on_duty=False, last_seen_at=None))


@pytest.fixture
def fresh_demo_agents(seeded_db: Engine) -> Iterator[None]:
    _reset_agents(seeded_db)
    yield
    _reset_agents(seeded_db)
