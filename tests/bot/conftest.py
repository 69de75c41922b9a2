"""Fixtures of the back-end suite.

Every database test runs twice, on SQLite and on PostgreSQL (`backend` is parametrized). For
PostgreSQL each run creates uniquely named throwaway databases (`billing_test_<random>`) on the
server in TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) and drops
them at the end, so concurrent runs never collide. Schemas are built with the Alembic migrations.

Two databases per backend:
* `database_url` / `empty_engine`: emptied before each test that asks for it;
* `seeded_url` / `seeded_engine`: seeded once with TEST_CUSTOMERS generated customers as of
  AS_OF; after each test every row a test added there (verification, audit, idempotency, codes,
  findings, credits, disputes...) is deleted again: rows whose id is above the seeded maximum.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.api.app import create_app
from bot.db import create_db_engine
from bot.migrations import upgrade
from bot.seed.runner import SeedResult, seed, wipe
from bot.settings import Settings
from bot.tables import metadata

AS_OF = date(2026, 11, 15)
NOW = datetime(2026, 11, 15, 10, 0, tzinfo=UTC)
TEST_CUSTOMERS = 30
TOKEN = "test-service-token"
STEP_UP_SECRET = "test-step-up-secret-0123456789"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# No example database: nothing written into the work tree, and every run is independent.
hypothesis_settings.register_profile("bot", database=None, deadline=None)
hypothesis_settings.load_profile("bot")


@pytest.fixture(autouse=True)
def _logging_as_found() -> Iterator[None]:
    """Every test leaves logging as it found it: the CLI (`bot ...`) and tests of
    `configure_logging` install a handler, the root level and privacy.logs' record factory, which
    would otherwise change what later tests log and capture, depending on their order."""
    root = logging.getLogger()
    factory, level, handlers = logging.getLogRecordFactory(), root.level, list(root.handlers)
    yield
    logging.setLogRecordFactory(factory)
    root.setLevel(level)
    for handler in list(root.handlers):  # pytest's capture handlers come and go per phase
        if handler.get_name() == "bot" and handler not in handlers:
            root.removeHandler(handler)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@contextmanager
def throwaway_database(backend: str, folder: Path) -> Iterator[str]:
    """A new empty database; dropped (PostgreSQL) or left in pytest's tmp folder (SQLite)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'billing.db'}"
        return
    server = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"billing_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {server.render_as_string()}: {error.orig}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database migrated to head (shared; use `empty_engine` for isolation)."""
    with throwaway_database(backend, tmp_path_factory.mktemp("scratch")) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(engine: Engine) -> Engine:
    """The scratch database, emptied before the test."""
    with engine.begin() as connection:
        wipe(connection)
    return engine


@pytest.fixture
def session(empty_engine: Engine) -> Iterator[Session]:
    with Session(empty_engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(scope="session")
def seeded_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database(backend, tmp_path_factory.mktemp("seeded")) as url:
        upgrade(url)
        engine = create_db_engine(url)
        seed(engine, TEST_CUSTOMERS, AS_OF)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def seeded_engine(seeded_url: str) -> Iterator[Engine]:
    engine = create_db_engine(seeded_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def seeded_ids(seeded_engine: Engine) -> dict[str, int]:
    """The highest id of every table right after seeding."""
    with seeded_engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
            for table in metadata.sorted_tables
        }


@pytest.fixture
def seeded_db(seeded_engine: Engine, seeded_ids: dict[str, int]) -> Iterator[Engine]:
    """The seeded database; rows the test added (above the seeded ids) are removed after it."""
    yield seeded_engine
    with seeded_engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete().where(table.c.id > seeded_ids[table.name]))


@pytest.fixture
def seeded_session(seeded_db: Engine) -> Iterator[Session]:
    with Session(seeded_db, expire_on_commit=False) as session:
        yield session


@dataclass(frozen=True)
class FullSeed:
    engine: Engine
    result: SeedResult
    seconds: float


@pytest.fixture(scope="session")
def full_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullSeed]:
    """The default data set (2000 generated customers) on SQLite, seeded once per run."""
    url = f"sqlite:///{tmp_path_factory.mktemp('full') / 'full.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    started = time.perf_counter()
    result = seed(engine, 2000, AS_OF)
    yield FullSeed(engine, result, time.perf_counter() - started)
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def api_settings(seeded_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="test",
        database_url=seeded_url,
        backend_service_token=TOKEN,
        step_up_secret=STEP_UP_SECRET,
    )


@pytest.fixture
def client(api_settings: Settings, clock: FakeClock, seeded_db: Engine) -> Iterator[TestClient]:
    """An authenticated client of an app on the seeded database, with the fake clock."""
    app = create_app(api_settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers["Authorization"] = f"Bearer {TOKEN}"
        yield test_client
    app.state.engine.dispose()
