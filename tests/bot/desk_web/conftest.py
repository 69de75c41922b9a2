"""Fixtures of the desk web tests: a fake Rasa server, the app pointed at it, logged-in clients.

The demo agents seeded by `bot seed` log in with their published passwords (maria: agent,
sara: supervisor). They are seeded rows, so they are put back off duty and unseen around every
test; the sessions, tickets and messages a test adds are removed by `seeded_db`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from bot.api.app import create_app
from bot.desk.models import Agent
from tests.bot.desk_web.fake_rasa import RASA_TOKEN, FakeRasa, running_fake_rasa

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.settings import Settings
    from tests.bot.conftest import FakeClock


@pytest.fixture(scope="session")
def fake_rasa_server() -> Iterator[FakeRasa]:
    with running_fake_rasa() as fake:
        yield fake


@pytest.fixture
def fake_rasa(fake_rasa_server: FakeRasa) -> FakeRasa:
    fake_rasa_server.requests.clear()
    fake_rasa_server.events.clear()
    fake_rasa_server.down = False
    fake_rasa_server.execute_down = False
    return fake_rasa_server


@pytest.fixture
def desk_settings(api_settings: Settings, fake_rasa: FakeRasa) -> Settings:
    return api_settings.model_copy(
        update={
            "rasa_url": fake_rasa.url,
            "rasa_token": RASA_TOKEN,
            "desk_queue_update_seconds": 0,  # the tests run the updater's ticks themselves
        }
    )


def _reset_agents(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(Agent).values(on_duty=False, last_seen_at=None))


@pytest.fixture
def desk_client(
    desk_settings: Settings, clock: FakeClock, seeded_db: Engine
) -> Iterator[TestClient]:
    """A client of the app (lifespan running) with no cookies and no bearer token."""
    _reset_agents(seeded_db)
    app = create_app(desk_settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()
    _reset_agents(seeded_db)
