"""What `python -m addons.rasa_server run ...` checks and sets before a Rasa server starts.

- Secrets: with `APP_ENV=development` a missing one gets its development value below (the one
  place the Rasa side keeps them); otherwise it must be set, and with `APP_ENV=production` it must
  also be at least 32 characters and no development value. A refusal names the variable, never
  the value.
- Messaging channels (addons/messaging/): the same, per channel; outside development a channel
  whose secrets are all unset stays off.
- Binding: Rasa listens on RASA_HOST, the action server on ACTION_HOST; both 127.0.0.1 unless set.
- `rasa run` gets `--auth-token` from RASA_TOKEN when not given (not on a command line, which any
  local user can read).
- `rasa run actions` checks ACTION_SERVER_TOKEN on every call (addons/action_server_auth.py).
"""

from __future__ import annotations

from collections.abc import MutableMapping

from addons.messaging.settings import CHANNEL_SECRETS

DEVELOPMENT_SECRETS = {
    "RASA_TOKEN": "dev-rasa-token",
    "BACKEND_SERVICE_TOKEN": "dev-service-token",
    "ACTION_SERVER_TOKEN": "dev-action-token",
}
# The back end's development values (bot/settings.py) are refused here too.
# The messaging channels' development values (addons/messaging/settings.py) likewise.
CHANNEL_DEVELOPMENT_VALUES = frozenset(
    value for secrets in CHANNEL_SECRETS.values() for value in secrets.values()
)
KNOWN_DEVELOPMENT_VALUES = frozenset(
    {*DEVELOPMENT_SECRETS.values(), "dev-step-up-secret", *CHANNEL_DEVELOPMENT_VALUES}
)
MIN_SECRET_LENGTH = 32
DEFAULT_HOST = "127.0.0.1"
# The secrets each server uses: Rasa (auth token, event broker, action calls), the action server
# (calls to the back end, calls from Rasa).
RASA_SECRETS = ("RASA_TOKEN", "BACKEND_SERVICE_TOKEN", "ACTION_SERVER_TOKEN")
ACTION_SERVER_SECRETS = ("BACKEND_SERVICE_TOKEN", "ACTION_SERVER_TOKEN")


class InsecureConfiguration(Exception):
    """A secret is unfit for the APP_ENV; the message names variables, never values."""


def secret_problem(value: str | None, *, production: bool) -> str | None:
    if not value:
        return "is missing or empty"
    if production and value in KNOWN_DEVELOPMENT_VALUES:
        return "is a known development value"
    if production and len(value) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    return None


def check_secrets(names: tuple[str, ...], env: MutableMapping[str, str]) -> None:
    """Fill development defaults, or raise InsecureConfiguration naming every unfit secret."""
    app_env = env.get("APP_ENV", "development")
    if app_env == "development":
        for name in names:
            if not env.get(name):
                env[name] = DEVELOPMENT_SECRETS[name]
        return
    production = app_env == "production"
    problems = [
        f"{name} {problem}"
        for name in names
        if (problem := secret_problem(env.get(name), production=production)) is not None
    ]
    if problems:
        advice = f"at least {MIN_SECRET_LENGTH} characters" if production else "a value"
        raise InsecureConfiguration(
            f"APP_ENV={app_env} refuses to start: {'; '.join(problems)} (set each to {advice})"
        )


def check_channel_secrets(env: MutableMapping[str, str]) -> None:
    """Messaging channels: development values under APP_ENV=development; elsewhere a channel
    with none of its secrets set stays off, one with some set needs all of them, each fit."""
    app_env = env.get("APP_ENV", "development")
    if app_env == "development":
        for secrets in CHANNEL_SECRETS.values():
            for name, value in secrets.items():
                if not env.get(name):
                    env[name] = value
        return
    production = app_env == "production"
    problems = [
        f"{name} {problem}"
        for secrets in CHANNEL_SECRETS.values()
        if any(env.get(name) for name in secrets)
        for name in secrets
        if (problem := secret_problem(env.get(name), production=production)) is not None
    ]
    if problems:
        raise InsecureConfiguration(
            f"APP_ENV={app_env} refuses to start a messaging channel: {'; '.join(problems)}"
            " (set all of a channel's secrets, or none to leave it off)"
        )


def _has_option(args: list[str], *flags: str) -> bool:
    return any(arg in flags or arg.startswith(tuple(f"{flag}=" for flag in flags)) for arg in args)


def prepare(argv: list[str], env: MutableMapping[str, str]) -> list[str]:
    """The command line to run, after checking secrets and setting hosts; may raise."""
    args = argv[1:]
    if args[:2] == ["run", "actions"]:
        check_secrets(ACTION_SERVER_SECRETS, env)
        env["SANIC_HOST"] = env.get("ACTION_HOST") or DEFAULT_HOST  # rasa-sdk's bind address
        from addons.action_server_auth import install

        install(env["ACTION_SERVER_TOKEN"])
        return argv
    if args[:1] != ["run"]:
        return argv
    check_secrets(RASA_SECRETS, env)
    check_channel_secrets(env)
    extra: list[str] = []
    if not _has_option(args, "-i", "--interface"):
        extra += ["-i", env.get("RASA_HOST") or DEFAULT_HOST]
    if not _has_option(args, "--auth-token"):
        extra += ["--auth-token", env["RASA_TOKEN"]]
    return [*argv[:2], *extra, *argv[2:]]
