"""The Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import create_db_engine
from bot.migrations import downgrade, upgrade
from bot.tables import metadata
from tests.bot.conftest import throwaway_database

if TYPE_CHECKING:
    import pytest
    from sqlalchemy import Engine


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_indexes_for_the_lookups(engine: Engine) -> None:
    inspector = inspect(engine)
    indexed = {
        table: {tuple(index["column_names"]) for index in inspector.get_indexes(table)}
        | {tuple(unique["column_names"]) for unique in inspector.get_unique_constraints(table)}
        for table in inspector.get_table_names()
    }
    assert ("account_number", "created_at") in indexed["verification_attempts"]
    assert ("conversation_id",) in indexed["verified_sessions"]
    assert ("account_number",) in indexed["accounts"]
    assert ("number",) in indexed["invoices"]
    assert ("account_id", "period_start") in indexed["invoices"]
    assert ("invoice_id",) in indexed["invoice_lines"]
    assert ("account_id", "paid_on") in indexed["payments"]


def test_downgrade_to_base_and_back(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    with throwaway_database(backend, tmp_path_factory.mktemp("migrations")) as url:
        upgrade(url)
        downgrade(url, "base")
        engine = create_db_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(url)
        assert "invoice_lines" in inspect(engine).get_table_names()
        engine.dispose()
