"""What `python -m addons.rasa_server run ...` checks and sets before a Rasa server starts.

- Secrets: with `APP_ENV=development` a missing one gets its development value below (the one
  place the Rasa side keeps them); otherwise it must be set, and with `APP_ENV=production` it must
  also be at least 32 characters and no development value. A refusal names the variable, never
  the value.
- Binding: Rasa listens on RASA_HOST, the action server on ACTION_HOST; both 127.0.0.1 unless set.
- `rasa run` gets `--auth-token` from RASA_TOKEN when not given (not on a command line, which any
  local user can read).
- `rasa run actions` checks ACTION_SERVER_TOKEN on every call (addons/action_server_auth.py).
"""

from __future__ import annotations

from collections.abc import MutableMapping

DEVELOPMENT_SECRETS = {
    "RASA_TOKEN": "dev-rasa-token",
    "BACKEND_SERVICE_TOKEN": "dev-service-token",
    "ACTION_SERVER_TOKEN": "dev-action-token",
}
# The back end's development values (bot/settings.py) are refused here too.
KNOWN_DEVELOPMENT_VALUES = frozenset({*DEVELOPMENT_SECRETS.values(), "dev-step-up-secret"})
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
    extra: list[str] = []
    if not _has_option(args, "-i", "--interface"):
        extra += ["-i", env.get("RASA_HOST") or DEFAULT_HOST]
    if not _has_option(args, "--auth-token"):
        extra += ["--auth-token", env["RASA_TOKEN"]]
    return [*argv[:2], *extra, *argv[2:]]
