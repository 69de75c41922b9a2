"""Starting the product's real processes for end-to-end tests, and checking a conversation through
kills and cuts: what the stack (conftest.py), the supervised stack (test_faults.py) and the
cluster (test_cluster.py) share.

    env = product_env(model, DATABASE_URL=..., RASA_PORT=...)   # the settings every start needs
    prepare_billing_database(env)                               # migrate and seed the demo data
    with throwaway_databases("faults_billing", "faults_trackers") as (billing, trackers): ...
    wait_for(lambda: healthy(url), "the back end", timeout_s=180)
    popen = start_supervisor("scripts/run_all.py", env, log_path)
    events = supervisor_events(log_path)                        # what it started and stopped
    customer = Customer(rasa_url); customer.verify_as_ana(); customer.assert_nothing_lost()
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
SERVICE_TOKEN = "e2e-service-token"
RASA_TOKEN = "e2e-rasa-token"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BALANCE = "Your balance is 54.17 EUR"  # Ana's (account 100001), the demo data's
ANA_DATE_OF_BIRTH = "14 March 1985"


def product_env(model: Path, **settings: str) -> dict[str, str]:
    """This process's environment with what every test start of the product needs, then
    `settings` (ports, database URLs, ...)."""
    return {
        **os.environ,
        "APP_ENV": "development",
        "BACKEND_SERVICE_TOKEN": SERVICE_TOKEN,
        "RASA_TOKEN": RASA_TOKEN,
        "RASA_MODEL": str(model),
        "LOG_LEVEL": "INFO",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **settings,
    }


def prepare_billing_database(env: dict[str, str]) -> None:
    """Migrate `DATABASE_URL` and seed the demo customers (and 40 more)."""
    bot = str(ROOT / ".venv/bin/bot")
    for command in ([bot, "db", "upgrade"], [bot, "seed", "--customers", "40"]):
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


@contextmanager
def throwaway_databases(*prefixes: str) -> Iterator[tuple[str, ...]]:
    """Fresh PostgreSQL databases named `<prefix>_<random>`, dropped (forcibly) at the end."""
    names = tuple(f"{prefix}_{uuid.uuid4().hex[:8]}" for prefix in prefixes)
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield names
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(
    check: Callable[[], bool], what: str, timeout_s: float, interval_s: float = 0.5
) -> None:
    """Until `check()` is true (an HTTP error or unreadable answer counts as not yet);
    AssertionError naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(interval_s)
    raise AssertionError(f"{what} not within {timeout_s} s")


def healthy(url: str) -> bool:
    return httpx.get(url, timeout=2).status_code == 200


def start_supervisor(script: str, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """One of our supervisors (`scripts/run_all.py`, `scripts/run_cluster.py`) started with this
    Python, its whole output (its own and its children's) in `log_path`."""
    with log_path.open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(ROOT / script)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def supervisor_events(log_path: Path) -> list[dict[str, Any]]:
    """The JSON events a supervisor (scripts/run_all.py, run_cluster.py) logged, in order."""
    lines = log_path.read_text(errors="replace").splitlines()
    return [
        json.loads(line.split(" | ", 1)[1]) for line in lines if line.startswith("supervisor | {")
    ]


def started_pids(events: list[dict[str, Any]], service: str) -> list[int]:
    """Every process id the supervisor started `service` as, oldest first."""
    return [
        int(e["pid"]) for e in events if e["event"] == "process.started" and e["service"] == service
    ]


def chat(url: str, sender: str, text: str, timeout_s: float = 120) -> list[str]:
    """One message over Rasa's REST channel at `url`; the bot's texts."""
    response = httpx.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout_s
    )
    response.raise_for_status()
    return [message.get("text", "") for message in response.json()]


def tracker_user_texts(url: str, sender: str) -> list[str | None]:
    """The customer's messages as the tracker (Rasa's HTTP API at `url`) stored them."""
    response = httpx.get(
        f"{url}/conversations/{sender}/tracker", params={"token": RASA_TOKEN}, timeout=30
    )
    response.raise_for_status()
    return [e.get("text") for e in response.json()["events"] if e["event"] == "user"]


@dataclass
class Customer:
    """One conversation through Rasa at `rasa_url` (or, per message, another replica): every
    message sent is remembered, must get an answer and must end up in the tracker."""

    rasa_url: str
    sender: str = field(default_factory=lambda: f"e2e-{uuid.uuid4().hex[:10]}")
    sent: list[str] = field(default_factory=list)

    def say(self, text: str, via: str | None = None) -> list[str]:
        self.sent.append(text)
        replies = chat(via or self.rasa_url, self.sender, text)
        assert replies, f"silent turn after message {len(self.sent)}"
        return replies

    def verify_as_ana(self, via: str | None = None, then_via: str | None = None) -> None:
        """Ask for the balance and verify as Ana; the account number goes `then_via` (if given)."""
        assert "account number" in " ".join(self.say("what's my balance?", via))
        assert "date of birth" in " ".join(self.say("100001", then_via or via))
        replies = self.say(ANA_DATE_OF_BIRTH, via)
        assert replies[0] == "Thanks Ana, you're verified.", replies
        assert replies[1].startswith(BALANCE), replies

    def assert_nothing_lost(self, via: str | None = None) -> None:
        """Every message sent is in the tracker, in order (verification answers are redacted)."""
        stored = tracker_user_texts(via or self.rasa_url, self.sender)
        assert len(stored) == len(self.sent), (stored, self.sent)
        for sent, kept in zip(self.sent, stored, strict=True):
            assert sent in (kept, ANA_DATE_OF_BIRTH)  # the date of birth is stored redacted
