"""Rasa and the action server refuse weak secrets in production and bind to loopback by default.

Unit tests of addons/secure_start.py, then `python -m addons.rasa_server` as a real process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from addons import secure_start
from addons.secure_start import (
    DEVELOPMENT_SECRETS,
    InsecureConfiguration,
    check_secrets,
    prepare,
)

ROOT = Path(__file__).resolve().parents[2]
STRONG = {
    "RASA_TOKEN": "production-rasa-token-0123456789abcdef",
    "BACKEND_SERVICE_TOKEN": "production-service-token-0123456789abcdef",
    "ACTION_SERVER_TOKEN": "production-action-token-0123456789abcdef",
}
RASA_RUN = ["rasa_server", "run", "--model", "m.tar.gz", "--enable-api"]
ACTIONS_RUN = ["rasa_server", "run", "actions", "--port", "5055"]


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens the action server's check was installed with (not registered for real)."""
    tokens: list[str] = []
    monkeypatch.setattr("addons.action_server_auth.install", tokens.append)
    return tokens


def test_development_fills_in_the_development_values() -> None:
    env: dict[str, str] = {"RASA_TOKEN": ""}
    check_secrets(secure_start.RASA_SECRETS, env)
    assert env == DEVELOPMENT_SECRETS


def test_production_accepts_strong_secrets() -> None:
    env = {"APP_ENV": "production", **STRONG}
    check_secrets(secure_start.RASA_SECRETS, env)
    assert env == {"APP_ENV": "production", **STRONG}


@pytest.mark.parametrize("name", sorted(STRONG))
@pytest.mark.parametrize(
    ("weak", "problem"),
    [
        ("", "is missing or empty"),
        (None, "is missing or empty"),
        ("dev-service-token", "is a known development value"),
        ("dev-step-up-secret", "is a known development value"),
        ("x" * 31, "is shorter than 32 characters"),
    ],
)
def test_production_refuses_a_weak_secret_by_name(
    name: str, weak: str | None, problem: str
) -> None:
    env = {"APP_ENV": "production", **STRONG}
    if weak is None:
        del env[name]
    else:
        env[name] = weak
    with pytest.raises(InsecureConfiguration) as raised:
        check_secrets(secure_start.RASA_SECRETS, env)
    message = str(raised.value)
    assert f"{name} {problem}" in message
    assert "\n" not in message
    if weak:
        assert weak not in message
    assert all(other not in message for other in set(STRONG) - {name})


def test_other_environments_need_secrets_set_but_not_long() -> None:
    with pytest.raises(InsecureConfiguration, match=r"APP_ENV=test .*RASA_TOKEN is missing"):
        check_secrets(secure_start.RASA_SECRETS, {"APP_ENV": "test"})
    env = {"APP_ENV": "test", "RASA_TOKEN": "t", "BACKEND_SERVICE_TOKEN": "b"}
    env["ACTION_SERVER_TOKEN"] = "a"
    check_secrets(secure_start.RASA_SECRETS, env)


def test_rasa_binds_loopback_and_gets_its_token_from_the_environment(
    installed: list[str],
) -> None:
    env = {"APP_ENV": "production", **STRONG}
    argv = prepare(RASA_RUN, env)
    assert argv[:2] == ["rasa_server", "run"]
    assert argv[argv.index("-i") + 1] == "127.0.0.1"
    assert argv[argv.index("--auth-token") + 1] == STRONG["RASA_TOKEN"]
    assert argv[-3:] == RASA_RUN[-3:]
    assert installed == []


def test_rasa_host_and_an_explicit_interface_win(installed: list[str]) -> None:
    env = {**STRONG, "RASA_HOST": "10.1.2.3"}
    assert prepare(RASA_RUN, env)[3] == "10.1.2.3"
    explicit = [*RASA_RUN, "--interface=::1", "--auth-token", "given"]
    argv = prepare(explicit, env)
    assert argv == explicit


def test_the_action_server_binds_loopback_and_checks_the_token(installed: list[str]) -> None:
    env = {"APP_ENV": "production", **STRONG, "SANIC_HOST": "0.0.0.0"}  # noqa: S104
    assert prepare(ACTIONS_RUN, env) == ACTIONS_RUN
    assert env["SANIC_HOST"] == "127.0.0.1"
    assert installed == [STRONG["ACTION_SERVER_TOKEN"]]
    told = {**env, "ACTION_HOST": "10.1.2.3"}
    prepare(ACTIONS_RUN, told)
    assert told["SANIC_HOST"] == "10.1.2.3"


def test_the_action_server_does_not_need_rasas_token(installed: list[str]) -> None:
    env = {"APP_ENV": "production", **STRONG}
    del env["RASA_TOKEN"]
    prepare(ACTIONS_RUN, env)
    with pytest.raises(InsecureConfiguration, match="RASA_TOKEN"):
        prepare(RASA_RUN, env)


def test_other_commands_pass_through_untouched(installed: list[str]) -> None:
    env = {"APP_ENV": "production"}
    assert prepare(["rasa_server", "data", "validate"], env) == ["rasa_server", "data", "validate"]
    assert env == {"APP_ENV": "production"}


# --- the real entry point --------------------------------------------------------------------


def start(args: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    dropped = {*STRONG, "APP_ENV", "ACTION_HOST", "RASA_HOST", "SANIC_HOST"}
    env = {name: value for name, value in os.environ.items() if name not in dropped}
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "addons.rasa_server", *args],
        cwd=ROOT,
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize(
    "args",
    [["run", "actions", "--port", "1", "--actions", "actions"], ["run", "--port", "1"]],
    ids=["action server", "rasa"],
)
def test_issue_reproduction_the_rasa_side_refuses_development_secrets(args: list[str]) -> None:
    """APP_ENV=production with the development tokens: exit 1 before serving, names, no values."""
    result = start(
        args,
        APP_ENV="production",
        BACKEND_SERVICE_TOKEN="dev-service-token",
        ACTION_SERVER_TOKEN="short-action-token",
        RASA_TOKEN="dev-rasa-token",
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: APP_ENV=production refuses to start: ")
    assert "BACKEND_SERVICE_TOKEN is a known development value" in last
    assert "ACTION_SERVER_TOKEN is shorter than 32 characters" in last
    assert ("RASA_TOKEN is a known development value" in last) == (args[1] != "actions")
    for value in ("dev-service-token", "short-action-token", "dev-rasa-token"):
        assert value not in result.stderr + result.stdout
