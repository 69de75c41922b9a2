"""One seeded SQLite database (`bot seed`'s runner, 3,000 generated customers) shared by the
practices and uplift tests of this package."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine

from bot.seed.runner import seed
from bot.tables import metadata

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

SEEDED_AS_OF = date(2026, 12, 1)
SEEDED_CUSTOMERS = 3000


@pytest.fixture(scope="session")
def analytics_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("seeded") / "seed.db"
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    seed(engine, SEEDED_CUSTOMERS, SEEDED_AS_OF)
    yield engine
    engine.dispose()
