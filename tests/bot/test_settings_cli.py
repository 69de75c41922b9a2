"""Settings, logging and the `bot` command line as an operator uses them."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bot.cli import app
from bot.db import create_db_engine
from bot.logging import configure_logging
from bot.settings import DEV_SERVICE_TOKEN, get_settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # no stray .env; relative sqlite paths land here
    for name in (
        "APP_ENV",
        "DATABASE_URL",
        "BACKEND_SERVICE_TOKEN",
        "STEP_UP_SECRET",
        "RASA_TOKEN",
        "LOG_FORMAT",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    root_level = logging.getLogger().level
    yield
    get_settings.cache_clear()
    logging.getLogger().handlers = [
        h for h in logging.getLogger().handlers if h.get_name() != "bot"
    ]
    logging.getLogger().setLevel(root_level)  # configure_logging sets it; later tests expect it


def test_defaults_work_in_development() -> None:
    settings = get_settings()
    assert settings.app_env == "development"
    assert settings.database_url == "sqlite:///./var/billing.db"
    assert settings.service_token == DEV_SERVICE_TOKEN
    assert (
        settings.verification_max_attempts,
        settings.verification_lock_minutes,
        settings.verified_session_minutes,
    ) == (3, 15, 60)
    assert get_settings() is settings


def test_production_requires_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ValidationError, match="BACKEND_SERVICE_TOKEN is missing"):
        get_settings()
    token, secret, rasa = "s" * 32, "a-long-production-secret-0123456789", "r" * 40
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", token)
    monkeypatch.setenv("RASA_TOKEN", rasa)
    get_settings.cache_clear()
    with pytest.raises(ValidationError, match="STEP_UP_SECRET"):
        get_settings()
    monkeypatch.setenv("STEP_UP_SECRET", secret)
    get_settings.cache_clear()
    assert get_settings().service_token == token
    assert get_settings().code_secret == secret.encode()
    assert get_settings().rasa_api_token == rasa


def test_sqlite_folder_is_created_on_engine_creation(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'x.db'}")
    assert (tmp_path / "a" / "b").is_dir()
    engine.dispose()


def test_json_logs_keep_only_safe_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", "INFO")
    configure_logging("json", "INFO")  # idempotent: still one line per event
    logging.getLogger("bot.test").info(
        "verification.failed",
        extra={"conversation_id": "c-1", "first_name": "Ana", "date_of_birth": "1985-03-14"},
    )
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["event"] == "verification.failed"
    assert record["conversation_id"] == "c-1"
    assert "Ana" not in lines[0]
    assert "1985" not in lines[0]


def test_demo_prints_the_demo_customers() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0
    for expected in [
        "100001",
        "Ana Novak",
        "1985-03-14",
        "1000",
        "ana.novak@example.com",
        "Luka Zupan",
    ]:
        assert expected in result.output


def test_seed_then_seed_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'cli.db'}")
    first = runner.invoke(app, ["seed", "--customers", "3", "--as-of", "2026-11-15"])
    assert first.exit_code == 0, first.output
    assert "seeded 7 customers" in first.output
    second = runner.invoke(app, ["seed", "--customers", "3", "--as-of", "2026-11-15"])
    assert second.exit_code == 0
    assert "nothing done" in second.output
    third = runner.invoke(app, ["seed", "--customers", "1", "--as-of", "2026-11-15", "--reset"])
    assert "seeded 5 customers" in third.output


def test_default_database_is_created_under_var() -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_expected_failures_are_one_readable_line(monkeypatch: pytest.MonkeyPatch) -> None:
    bad_date = runner.invoke(app, ["seed", "--as-of", "15/11/2026"])
    assert bad_date.exit_code == 2
    assert "YYYY-MM-DD" in bad_date.output
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    unreachable = runner.invoke(app, ["db", "upgrade"])
    assert unreachable.exit_code == 1
    assert "error: database error" in unreachable.output
    assert "Traceback" not in unreachable.output
    monkeypatch.setenv("APP_ENV", "production")
    get_settings.cache_clear()
    misconfigured = runner.invoke(app, ["db", "upgrade"])
    assert misconfigured.exit_code == 1
    assert "invalid configuration" in misconfigured.output
