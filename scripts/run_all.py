"""Start the back end, the action server and the Rasa server together, and keep them running.

A process that dies (a crash, the kernel's OOM killer, SIGKILL, or our memory watchdog) is started
again after 1 s, 2 s, 4 s ... at most 30 s (back to 1 s once it ran a minute); the others keep
serving. The watchdog kills a process whose memory (RSS of its process group) passes its ceiling,
`<NAME>_MAX_RSS_MB` (RASA 3000, ACTIONS and BACKEND 1000; 0: no ceiling). Every start, exit and
kill is one JSON line, `supervisor | {"event": ...}`. Ctrl-C (SIGINT) or SIGTERM stops all.
Each process's output is prefixed with its name. Standard library only (runs on .venv's Python).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script too: `python scripts/run_all.py`

from scripts.process_groups import group_usage  # noqa: E402


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]


def services(env: dict[str, str]) -> list[Service]:
    """The three processes, on the ports the environment names (the e2e tests use this too)."""
    # Rasa's command line, with exception logs that never print local variables.
    rasa = [str(ROOT / ".venv-rasa/bin/python"), "-m", "addons.rasa_server"]
    # The origins whose pages may talk to Rasa (the website chat page), separated by spaces.
    cors = env.get("RASA_CORS_ORIGIN", "http://localhost:8000 http://127.0.0.1:8000").split()
    return [
        Service(
            "backend",
            [
                str(ROOT / ".venv/bin/bot"),
                "serve",
                # Loopback unless told otherwise; the action server's is ACTION_HOST.
                "--host",
                env.get("BACKEND_HOST", "127.0.0.1"),
                "--port",
                env.get("BACKEND_PORT", "8000"),
            ],
        ),
        Service(
            "actions",
            [
                *rasa,
                "run",
                "actions",
                "--port",
                env.get("ACTION_PORT", "5055"),
                "--actions",
                "actions",
            ],
        ),
        Service(
            "rasa",
            [
                *rasa,
                "run",
                "--model",
                env.get("RASA_MODEL", str(ROOT / "models/billing.tar.gz")),
                "-i",
                env.get("RASA_HOST", "127.0.0.1"),
                "--port",
                env.get("RASA_PORT", "5005"),
                "--endpoints",
                env.get("RASA_ENDPOINTS", "endpoints.yml"),  # make run-cluster writes its own
                "--credentials",
                "credentials.yml",
                "--cors",
                *cors,
                # The HTTP API (pause, resume, agent replies) only with RASA_TOKEN, which
                # addons/rasa_server.py passes on (never on a command line anyone can read).
                "--enable-api",
            ],
        ),
    ]


BACKOFF_FIRST_S = 1.0
BACKOFF_CAP_S = 30.0
STABLE_AFTER_S = 60.0  # a process that ran this long starts the backoff again from the first delay
WATCH_INTERVAL_S = 0.25  # how often exits and memory are checked
STOP_GRACE_S = 15.0
DEFAULT_MAX_RSS_MB = {"rasa": 3000, "actions": 1000, "backend": 1000}
_output_lock = threading.Lock()


def write_line(line: str) -> None:
    with _output_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def log_event(event: str, **fields: object) -> None:
    """One structured line for every start, exit, kill and restart."""
    record = {"ts": round(time.time(), 3), "event": event, **fields}
    write_line(f"supervisor | {json.dumps(record)}\n")


def pipe_output(name: str, stream: subprocess.Popen[str]) -> None:
    if stream.stdout is None:
        return
    for line in stream.stdout:
        write_line(f"{name:>8} | {line}")


def max_rss_mb(name: str, env: dict[str, str]) -> int | None:
    kind = name.split("-", 1)[0]  # replicas of make run-cluster ("rasa-2") share their kind's
    raw = env.get(f"{kind.upper()}_MAX_RSS_MB", "")
    limit = int(raw) if raw.strip() else DEFAULT_MAX_RSS_MB.get(kind, 0)
    return limit if limit > 0 else None


def group_rss_mb(pgids: set[int]) -> dict[int, float]:
    """Resident memory of every process group asked for (a service and its children), in MB."""
    return {pgid: usage.rss_mb for pgid, usage in group_usage(pgids).items()}


def _die_with_parent() -> None:
    # If the supervisor itself is killed, its children get SIGTERM instead of running on unowned.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Backoff:
    failures: int = 0

    def next_delay(self, ran_for_s: float) -> float:
        if ran_for_s >= STABLE_AFTER_S:
            self.failures = 0
        delay: float = min(BACKOFF_CAP_S, BACKOFF_FIRST_S * 2.0 ** min(self.failures, 16))
        self.failures += 1
        return delay


@dataclass
class Supervised:
    service: Service
    max_rss_mb: int | None
    popen: subprocess.Popen[str] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    backoff: Backoff = field(default_factory=Backoff)


class Supervisor:
    """Starts the services, restarts one that dies, kills one over its memory ceiling."""

    def __init__(self, services: list[Service], env: dict[str, str]) -> None:
        self.env = env
        self.children = [Supervised(s, max_rss_mb(s.name, env)) for s in services]
        self.stopping = False

    def start(self, child: Supervised) -> None:
        child.popen = subprocess.Popen(  # noqa: S603 - our own fixed commands
            child.service.command,
            cwd=ROOT,
            env=self.env,
            text=True,
            errors="replace",
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        child.started_at, child.restart_at = time.monotonic(), None
        threading.Thread(
            target=pipe_output, args=(child.service.name, child.popen), daemon=True
        ).start()
        log_event(
            "process.started",
            service=child.service.name,
            pid=child.popen.pid,
            restarts=child.restarts,
            max_rss_mb=child.max_rss_mb,
        )

    def check(self) -> None:
        """One round: note exits and schedule restarts, enforce ceilings, start what is due."""
        now = time.monotonic()
        watched = {
            c.popen.pid: c
            for c in self.children
            if c.max_rss_mb and c.popen is not None and c.popen.poll() is None
        }
        for pid, used in group_rss_mb(set(watched)).items():
            child = watched[pid]
            if child.max_rss_mb and used > child.max_rss_mb:
                log_event(
                    "process.memory_exceeded",
                    service=child.service.name,
                    pid=pid,
                    rss_mb=round(used),
                    max_rss_mb=child.max_rss_mb,
                )
                _kill_group(pid, signal.SIGKILL)
        for child in self.children:
            if child.popen is None or child.restart_at is not None:
                continue
            code = child.popen.poll()
            if code is None:
                continue
            ran_for = now - child.started_at
            delay = child.backoff.next_delay(ran_for)
            child.restart_at = now + delay
            _kill_group(child.popen.pid, signal.SIGKILL)  # leftovers of the dead process
            log_event(
                "process.exited",
                service=child.service.name,
                pid=child.popen.pid,
                exit_code=code,
                signal=signal.Signals(-code).name if code < 0 else None,
                ran_s=round(ran_for, 1),
                restart_in_s=delay,
            )
        for child in self.children:
            if child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self.start(child)

    def stop_all(self) -> None:
        alive = [c.popen for c in self.children if c.popen is not None and c.popen.poll() is None]
        for popen in alive:
            _kill_group(popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for popen in alive:
            try:
                popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_group(popen.pid, signal.SIGKILL)
                popen.wait()
        log_event("supervisor.stopped")

    def run(self, sleep: Callable[[float], None] = time.sleep) -> int:
        for child in self.children:
            self.start(child)
        while not self.stopping:
            self.check()
            sleep(WATCH_INTERVAL_S)
        self.stop_all()
        return 0


def _kill_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def main() -> int:
    # Library deprecation chatter would drown the logs people read.
    env = {"PYTHONWARNINGS": "ignore", **os.environ}
    supervisor = Supervisor(services(env), env)

    def stop(*_: object) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(
        "Starting back end :8000, actions :5055, Rasa :5005 (ready in ~40 s). "
        "A process that dies is restarted; Ctrl-C stops all."
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
