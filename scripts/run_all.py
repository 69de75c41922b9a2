"""Start the back end, the action server and the Rasa server together; Ctrl-C stops all three.

Each process's output is prefixed with its name. Standard library only (runs on .venv's Python).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
            [str(ROOT / ".venv/bin/bot"), "serve", "--port", env.get("BACKEND_PORT", "8000")],
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
                "--port",
                env.get("RASA_PORT", "5005"),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--cors",
                *cors,
                # The HTTP API (pause, resume, agent replies) only with the token.
                "--enable-api",
                "--auth-token",
                env.get("RASA_TOKEN", "dev-rasa-token"),
            ],
        ),
    ]


def pipe_output(name: str, stream: subprocess.Popen[str]) -> None:
    if stream.stdout is None:
        return
    for line in stream.stdout:
        sys.stdout.write(f"{name:>8} | {line}")
        sys.stdout.flush()


def main() -> int:
    # Library deprecation chatter would drown the logs people read.
    env = {"PYTHONWARNINGS": "ignore", **os.environ}
    processes: list[tuple[Service, subprocess.Popen[str]]] = []
    for service in services(env):
        process = subprocess.Popen(  # noqa: S603 - our own fixed commands
            service.command,
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(target=pipe_output, args=(service.name, process), daemon=True).start()
        processes.append((service, process))
    print("Starting back end :8000, actions :5055, Rasa :5005 (ready in ~40 s). Ctrl-C stops all.")
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for service, process in processes:
            if process.poll() is not None:
                print(f"{service.name} exited with code {process.returncode}; stopping the others.")
                exit_code, stopping = process.returncode or 1, True
        time.sleep(0.3)
    for _, process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for _, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    print("Stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
