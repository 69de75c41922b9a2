"""Each messaging channel's configuration, read from environment variables.

A channel is on when its secrets are set (`make run` sets development values, addons/secure_start.py
refuses those in production) and off otherwise: an off channel answers its webhook with 404 and
never hands anything to Rasa. The platform's API base URL is configurable so the tests can point it
at a fake platform server on loopback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

# The variables that switch a channel on, with the development value each gets from
# addons/secure_start.py under APP_ENV=development.
CHANNEL_SECRETS: Final[dict[str, dict[str, str]]] = {
    "telegram": {
        "TELEGRAM_BOT_TOKEN": "dev-telegram-token",
        "TELEGRAM_SECRET_TOKEN": "dev-telegram-secret",
    },
    "whatsapp": {
        "WHATSAPP_APP_SECRET": "dev-whatsapp-secret",
        "WHATSAPP_VERIFY_TOKEN": "dev-whatsapp-verify",
        "WHATSAPP_ACCESS_TOKEN": "dev-whatsapp-access-token",
    },
    "facebook": {
        "MESSENGER_APP_SECRET": "dev-messenger-secret",
        "MESSENGER_VERIFY_TOKEN": "dev-messenger-verify",
        "MESSENGER_PAGE_ACCESS_TOKEN": "dev-messenger-access-token",
    },
    "slack": {
        "SLACK_SIGNING_SECRET": "dev-slack-secret",
        "SLACK_BOT_TOKEN": "dev-slack-token",
    },
}

API_URL_VARIABLES: Final = {
    "telegram": "TELEGRAM_API_URL",
    "whatsapp": "WHATSAPP_API_URL",
    "facebook": "MESSENGER_API_URL",
    "slack": "SLACK_API_URL",
}
DEFAULT_API_URLS: Final = {
    "telegram": "https://api.telegram.org",
    "whatsapp": "https://graph.facebook.com/v21.0",
    "facebook": "https://graph.facebook.com/v21.0",
    "slack": "https://slack.com/api",
}
SEND_TIMEOUT_VARIABLE: Final = "MESSAGING_SEND_TIMEOUT_SECONDS"
DEFAULT_SEND_TIMEOUT_S: Final = 10.0


@dataclass(frozen=True)
class ChannelSettings:
    """One channel's secrets (by variable name) and where its platform's API is."""

    name: str
    secrets: Mapping[str, str]
    api_url: str
    send_timeout_s: float

    def secret(self, variable: str) -> str:
        return self.secrets[variable]


def channel_settings(name: str, env: Mapping[str, str]) -> ChannelSettings | None:
    """The channel's settings, or None when any of its secrets is unset (the channel is off)."""
    values = {variable: env.get(variable, "") for variable in CHANNEL_SECRETS[name]}
    if not all(values.values()):
        return None
    api_url = env.get(API_URL_VARIABLES[name], "").strip() or DEFAULT_API_URLS[name]
    return ChannelSettings(name, values, api_url.rstrip("/"), _send_timeout(env))


def _send_timeout(env: Mapping[str, str]) -> float:
    try:
        value = float(env.get(SEND_TIMEOUT_VARIABLE, "") or DEFAULT_SEND_TIMEOUT_S)
    except ValueError:
        return DEFAULT_SEND_TIMEOUT_S
    return value if value > 0 else DEFAULT_SEND_TIMEOUT_S
