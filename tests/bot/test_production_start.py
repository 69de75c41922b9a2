"""Production refuses to start insecurely (issue 9, item 7): weak secrets, open docs, wide binding.

The settings are checked in-process; `bot serve` is started as a real process, as an operator would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from bot.api.app import create_app
from bot.settings import MIN_PRODUCTION_SECRET_LENGTH, Settings
from scripts.run_all import services
from tests.listening import listening_addresses

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
BOT = str(ROOT / ".venv/bin/bot")
STRONG = {
    "backend_service_token": "production-service-token-0123456789abcdef",
    "step_up_secret": "production-step-up-secret-0123456789abcdef",
    "rasa_token": "production-rasa-token-0123456789abcdef",
}
WEAK_VALUES = {
    "development value": "dev-service-token",
    "another runtime's development value": "dev-action-token",
    "short": "x" * (MIN_PRODUCTION_SECRET_LENGTH - 1),
}
DOCS = ["/openapi.json", "/docs", "/redoc"]
# What `make` (development) or an operator's shell may have exported: the settings under test
# must come from each test alone (make test-bot exports BACKEND_SERVICE_TOKEN=dev-service-token).
AMBIENT = ("APP_ENV", "BACKEND_SERVICE_TOKEN", "STEP_UP_SECRET", "RASA_TOKEN", "BACKEND_HOST")


@pytest.fixture(autouse=True)
def no_ambient_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in AMBIENT:
        monkeypatch.delenv(name, raising=False)


def production(database_url: str = "sqlite://", **overrides: str | None) -> Settings:
    values = {**STRONG, **overrides}
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="production",
        database_url=database_url,
        **{name: value for name, value in values.items() if value is not None},
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """The inherited environment without any secret or host `make` may have exported."""
    env = {name: value for name, value in os.environ.items() if name not in AMBIENT}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'billing.db'}"
    env["DISCOUNT_POLICY_PATH"] = str(ROOT / "config/discount_policy.yml")
    return {**env, **variables}


# --- settings ------------------------------------------------------------------------------


def test_strong_secrets_start() -> None:
    settings = production()
    assert settings.service_token == STRONG["backend_service_token"]
    assert settings.rasa_api_token == STRONG["rasa_token"]


@pytest.mark.parametrize("field", sorted(STRONG))
@pytest.mark.parametrize("kind", sorted(WEAK_VALUES))
def test_a_weak_secret_is_refused_by_name_without_its_value(field: str, kind: str) -> None:
    weak = WEAK_VALUES[kind]
    with pytest.raises(ValidationError) as raised:
        production(**{field: weak})
    message = str(raised.value)
    expected = "a known development value" if "development" in kind else "shorter than 32"
    assert f"{field.upper()} is {expected}" in message
    assert weak not in message
    for other in set(STRONG) - {field}:
        assert other.upper() not in message  # only the culprit is named


@pytest.mark.parametrize("field", sorted(STRONG))
def test_a_missing_secret_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=f"{field.upper()} is missing or empty"):
        production(**{field: None})


def test_an_empty_variable_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", "")
    with pytest.raises(ValidationError, match="BACKEND_SERVICE_TOKEN is missing or empty"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            app_env="production",
            step_up_secret=STRONG["step_up_secret"],
            rasa_token=STRONG["rasa_token"],
        )


def test_development_keeps_its_defaults() -> None:
    settings = Settings(_env_file=None, app_env="development")  # type: ignore[call-arg]
    assert settings.service_token == "dev-service-token"
    assert settings.rasa_api_token == "dev-rasa-token"


# --- API docs --------------------------------------------------------------------------------


@pytest.fixture
def production_client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(production(f"sqlite:///{tmp_path / 'docs.db'}"))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.mark.parametrize("path", DOCS)
def test_production_docs_need_the_service_token(production_client: TestClient, path: str) -> None:
    assert production_client.get(path).status_code == 401
    wrong = {"Authorization": "Bearer " + "w" * 40}
    assert production_client.get(path, headers=wrong).status_code == 401
    right = {"Authorization": f"Bearer {STRONG['backend_service_token']}"}
    response = production_client.get(path, headers=right)
    assert response.status_code == 200
    if path == "/openapi.json":
        assert "/api/v1/verifications" in response.json()["paths"]
        assert path not in response.json()["paths"]  # the docs routes are not API routes


@pytest.mark.parametrize("path", DOCS)
def test_development_docs_stay_open(tmp_path: Path, path: str) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="development",
        database_url=f"sqlite:///{tmp_path / 'docs.db'}",
    )
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get(path).status_code == 200
    app.state.engine.dispose()


# --- `bot serve` as a process -------------------------------------------------------------


def test_issue_reproduction_production_refuses_development_secrets(tmp_path: Path) -> None:
    """The issue's reproduction: APP_ENV=production with BACKEND_SERVICE_TOKEN=dev-service-token
    and STEP_UP_SECRET=dev-step-up-secret used to start; now `bot serve` exits at once with one
    line naming each variable."""
    port = free_port()
    env = bot_env(
        tmp_path,
        APP_ENV="production",
        BACKEND_SERVICE_TOKEN="dev-service-token",
        STEP_UP_SECRET="dev-step-up-secret",
    )
    result = subprocess.run(  # noqa: S603 - our own command
        [BOT, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "APP_ENV=production refuses to start" in lines[0]
    assert "BACKEND_SERVICE_TOKEN is a known development value" in lines[0]
    assert "STEP_UP_SECRET is a known development value" in lines[0]
    assert "RASA_TOKEN is missing or empty" in lines[0]
    assert "dev-service-token" not in result.stderr + result.stdout
    assert "dev-step-up-secret" not in result.stderr + result.stdout
    assert not listening_addresses(port)


def test_a_short_secret_stops_bot_serve(tmp_path: Path) -> None:
    short = "s" * 20
    env = bot_env(
        tmp_path,
        APP_ENV="production",
        BACKEND_SERVICE_TOKEN=STRONG["backend_service_token"],
        STEP_UP_SECRET=short,
        RASA_TOKEN=STRONG["rasa_token"],
    )
    result = subprocess.run(  # noqa: S603 - our own command
        [BOT, "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "STEP_UP_SECRET is shorter than 32 characters" in result.stderr
    assert short not in result.stderr + result.stdout


def wait_for_health(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bot serve exited: {process.communicate()[0][-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError("bot serve did not answer /health within 60 s")


def test_production_bot_serve_binds_loopback_and_guards_its_docs(tmp_path: Path) -> None:
    port = free_port()
    env = bot_env(
        tmp_path,
        APP_ENV="production",
        BACKEND_SERVICE_TOKEN=STRONG["backend_service_token"],
        STEP_UP_SECRET=STRONG["step_up_secret"],
        RASA_TOKEN=STRONG["rasa_token"],
        DESK_QUEUE_UPDATE_SECONDS="0",
    )
    process = subprocess.Popen(  # noqa: S603 - our own command
        [BOT, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process)
        assert listening_addresses(port) == {"127.0.0.1"}
        token = {"Authorization": f"Bearer {STRONG['backend_service_token']}"}
        for path in DOCS:
            assert httpx.get(f"{url}{path}", timeout=5).status_code == 401, path
            assert httpx.get(f"{url}{path}", headers=token, timeout=5).status_code == 200, path
    finally:
        process.terminate()
        process.communicate(timeout=20)


# --- what `make run` starts --------------------------------------------------------------


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_services_bind_loopback_unless_told_otherwise() -> None:
    commands = {service.name: service.command for service in services({})}
    assert _option(commands["backend"], "--host") == "127.0.0.1"
    assert _option(commands["rasa"], "-i") == "127.0.0.1"
    # The action server has no host option: addons/secure_start.py binds it (ACTION_HOST).
    assert "0.0.0.0" not in " ".join(" ".join(command) for command in commands.values())  # noqa: S104
    told = {
        service.name: service.command
        for service in services({"BACKEND_HOST": "10.0.0.5", "RASA_HOST": "::"})
    }
    assert _option(told["backend"], "--host") == "10.0.0.5"
    assert _option(told["rasa"], "-i") == "::"


def test_the_rasa_token_is_not_on_a_command_line() -> None:
    """Anyone on the machine can read command lines (`ps`); addons/secure_start.py adds it."""
    commands = services({"RASA_TOKEN": STRONG["rasa_token"]})
    assert all(STRONG["rasa_token"] not in service.command for service in commands)
