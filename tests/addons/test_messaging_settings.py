"""Messaging channels are configured from the environment: on with development values in
development, off when unset elsewhere, refused in production with development or short secrets."""

from __future__ import annotations

import pytest

from addons.messaging.settings import CHANNEL_SECRETS, DEFAULT_API_URLS, channel_settings
from addons.secure_start import InsecureConfiguration, check_channel_secrets

STRONG = {
    name: f"{name.lower()}-production-value-0123456789abcdef"
    for secrets in CHANNEL_SECRETS.values()
    for name in secrets
}


def test_development_turns_every_channel_on_with_its_development_values() -> None:
    env: dict[str, str] = {"TELEGRAM_BOT_TOKEN": "my-own-test-bot-token"}
    check_channel_secrets(env)
    assert env["TELEGRAM_BOT_TOKEN"] == "my-own-test-bot-token"  # a set value is kept
    assert env["TELEGRAM_SECRET_TOKEN"] == "dev-telegram-secret"
    assert env["WHATSAPP_VERIFY_TOKEN"] == "dev-whatsapp-verify"
    for name in CHANNEL_SECRETS:
        settings = channel_settings(name, env)
        assert settings is not None
        assert settings.api_url == DEFAULT_API_URLS[name]


def test_outside_development_an_unconfigured_channel_is_off() -> None:
    env = {"APP_ENV": "production"}
    check_channel_secrets(env)
    assert env == {"APP_ENV": "production"}
    assert all(channel_settings(name, env) is None for name in CHANNEL_SECRETS)


def test_production_accepts_strong_secrets_and_a_configured_api_url() -> None:
    env = {"APP_ENV": "production", **STRONG, "SLACK_API_URL": "http://127.0.0.1:9/slack/"}
    check_channel_secrets(env)
    slack = channel_settings("slack", env)
    assert slack is not None
    assert slack.api_url == "http://127.0.0.1:9/slack"
    assert slack.secret("SLACK_BOT_TOKEN") == STRONG["SLACK_BOT_TOKEN"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("dev-whatsapp-secret", "is a known development value"),
        ("dev-telegram-token", "is a known development value"),
        ("x1y2z3", "is shorter than 32 characters"),
        ("", "is missing or empty"),
    ],
)
def test_production_refuses_a_weak_channel_secret_by_name(value: str, problem: str) -> None:
    env = {"APP_ENV": "production", **STRONG, "WHATSAPP_APP_SECRET": value}
    with pytest.raises(InsecureConfiguration) as raised:
        check_channel_secrets(env)
    assert f"WHATSAPP_APP_SECRET {problem}" in str(raised.value)
    if value:
        assert value not in str(raised.value)


def test_a_half_configured_channel_is_refused_rather_than_left_open() -> None:
    env = {"APP_ENV": "staging", "TELEGRAM_BOT_TOKEN": "123456:ABCdef"}
    with pytest.raises(InsecureConfiguration, match="TELEGRAM_SECRET_TOKEN is missing"):
        check_channel_secrets(env)
    assert channel_settings("telegram", env) is None
