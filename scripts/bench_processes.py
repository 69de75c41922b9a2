"""The processes `make bench` runs: the stock `rasa init` bot (trained once, cached), our product
as `make run` starts it (scripts/run_all.py's `services()`), and the timed `rasa train` of ours."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts.managed_process import ManagedProcess
from scripts.process_groups import group_usage
from scripts.run_all import services

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa/bin/rasa"
STOCK_DIR = ROOT / "var/bench/stock"
SERVICE_TOKEN = "bench-service-token"  # noqa: S105 - throwaway tokens for one loopback run
RASA_TOKEN = "bench-rasa-token"  # noqa: S105
QUIET = {
    "PYTHONWARNINGS": "ignore",
    "LOG_LEVEL": "WARNING",
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


class BenchError(Exception):
    """A process did not start, exited, or a command failed; the message says which."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def vm_rss_mb(pid: int) -> float:
    """VmRSS of one process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for process {pid}")


def group_rss_mb(pgid: int) -> float:
    """Resident memory of a whole process group (Rasa's Sanic workers are children), in MB."""
    return group_usage({pgid})[pgid].rss_mb


def check_alive(process: ManagedProcess) -> None:
    """Raises BenchError with the end of its log when the process has stopped."""
    if not process.running:
        raise BenchError(f"{process.name} is not running:\n{process.log()[-2000:]}")


@dataclass
class RasaServer:
    """A Rasa process and where to reach it."""

    process: ManagedProcess
    url: str
    token: str
    env: dict[str, str] = field(default_factory=dict)  # what it starts with, if not yet started

    def wait_loaded(self, timeout_s: float) -> float:
        """Seconds from process start until /status answers with a loaded model."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            check_alive(self.process)
            try:
                response = httpx.get(f"{self.url}/status", params={"token": self.token}, timeout=2)
                if response.status_code == 200 and response.json().get("model_id"):
                    return time.monotonic() - self.process.started_at
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.2)
        raise BenchError(f"{self.process.name} loaded no model within {timeout_s:.0f} s")


def stock_model(log_dir: Path) -> tuple[Path, bool]:
    """The stock `rasa init` bot's model under var/bench/stock/, trained only when missing."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1], False
    STOCK_DIR.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="stock-", dir=STOCK_DIR.parent))
    env = {**os.environ, **QUIET, "RASA_CACHE_DIRECTORY": str(staging / ".rasa-cache")}
    with (log_dir / "stock-init.log").open("wb") as log:
        done = subprocess.run(  # noqa: S603
            [str(RASA), "init", "--no-prompt", "--init-dir", str(staging)],
            cwd=staging,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=1800,
            check=False,
        )
    models = sorted((staging / "models").glob("*.tar.gz"))
    if done.returncode != 0 or not models:
        raise BenchError(f"rasa init failed (exit {done.returncode}): see {log.name}")
    shutil.rmtree(staging / ".rasa-cache", ignore_errors=True)
    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    staging.rename(STOCK_DIR)  # whole or not at all: a half-trained folder is never cached
    return STOCK_DIR / "models" / models[-1].name, True


def stock_server(model: Path, log_dir: Path) -> RasaServer:
    """`rasa run` as a stock project runs it: one worker, its own endpoints and credentials."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "SANIC_WORKERS"}
    command = [
        str(RASA),
        "run",
        "--model",
        str(model),
        "-i",
        "127.0.0.1",
        "--port",
        str(port),
        "--enable-api",
        "--auth-token",
        RASA_TOKEN,
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
    ]
    process = ManagedProcess("stock", command, log_dir / "stock.log", cwd=STOCK_DIR)
    return RasaServer(process, f"http://127.0.0.1:{port}", RASA_TOKEN, {**env, **QUIET})


def time_training(workdir: Path, log_dir: Path, timeout_s: float) -> float:
    """Seconds `rasa train --force` of our bot takes, into a temporary folder and cache."""
    env = {**os.environ, **QUIET, "RASA_CACHE_DIRECTORY": str(workdir / "train-cache")}
    started = time.monotonic()
    with (log_dir / "train.log").open("wb") as log:
        done = subprocess.run(  # noqa: S603
            [str(RASA), "train", "--force", "--quiet", "--out", str(workdir / "train-out")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=timeout_s,
            check=False,
        )
    if done.returncode != 0:
        raise BenchError(f"rasa train failed (exit {done.returncode}): see {log_dir / 'train.log'}")
    return time.monotonic() - started


@dataclass
class Product:
    """Our back end, action server and Rasa as `make run` starts them, on spare loopback ports."""

    workdir: Path
    model: Path
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, ManagedProcess] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ports = {name: free_port() for name in ("backend", "actions")}
        self.backend_url = f"http://127.0.0.1:{ports['backend']}"
        self.env = {
            **os.environ,
            **QUIET,
            "APP_ENV": "development",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'billing.db'}",
            "TRACKER_DB_URL": f"sqlite:///{self.workdir / 'conversations.db'}",
            "BACKEND_PORT": str(ports["backend"]),
            "ACTION_PORT": str(ports["actions"]),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
            "BACKEND_URL": self.backend_url,
            "BACKEND_SERVICE_TOKEN": SERVICE_TOKEN,
            "RASA_TOKEN": RASA_TOKEN,
            "RASA_MODEL": str(self.model),
            "SANIC_WORKERS": "1",
            "LOCK_STORE_URL": "",
        }

    def seed(self) -> None:
        bot = str(ROOT / ".venv/bin/bot")
        for command in ([bot, "db", "upgrade"], [bot, "seed"]):
            done = subprocess.run(  # noqa: S603
                command, cwd=ROOT, env=self.env, capture_output=True, check=False
            )
            if done.returncode != 0:
                raise BenchError(f"{' '.join(command[1:])} failed: {done.stderr[-1000:]!r}")

    def start_helpers(self) -> None:
        """The back end and the action server (they stay up while Rasa is restarted)."""
        for service in services(self.env):
            if service.name != "rasa":
                self._start(service.name, service.command, self.env)
        for name, url in (("backend", self.backend_url), ("actions", self._action_health())):
            wait_http(url, self.processes[name], 120)

    def start_rasa(self, name: str, overrides: dict[str, str]) -> RasaServer:
        port = free_port()
        env = {**self.env, "RASA_PORT": str(port), **overrides}
        rasa = next(service for service in services(env) if service.name == "rasa")
        process = self._start(name, rasa.command, env)
        return RasaServer(process, f"http://127.0.0.1:{port}", RASA_TOKEN)

    def stop(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.processes):
            self.processes.pop(key).stop()

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> ManagedProcess:
        process = ManagedProcess(name, command, self.workdir / f"{name}.log")
        process.start(env)
        self.processes[name] = process
        return process

    def _action_health(self) -> str:
        return self.env["ACTION_ENDPOINT_URL"].replace("/webhook", "/health")


def wait_http(url: str, process: ManagedProcess, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        check_alive(process)
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise BenchError(f"{process.name} did not answer within {timeout_s:.0f} s")
