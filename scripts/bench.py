"""`make bench`: speed and memory of the running product, against targets.

Starts the three processes exactly as `make run` does (scripts/run_all.py), on spare loopback ports,
on a freshly seeded SQLite database in a temporary folder, then measures over real HTTP:

* start-up: until Rasa has loaded the model and answers a message;
* back end: a verified account read (`GET .../balance`) and the fair-treatment review, one at a
  time (latency) and from concurrent clients (throughput);
* a whole bot turn over the REST channel (NLU, dialogue, action server, back end): latency for one
  conversation, and throughput with several conversations at once;
* memory: resident set size of each process after the load.

Prints a table, writes `var/results/bench.json`, and exits 1 when a figure misses its target.
Standard library plus httpx (runs on .venv's Python).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.run_all import services  # noqa: E402

TOKEN = "bench-service-token"  # noqa: S105 - a throwaway token for this run


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False

    @property
    def meets(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total_kb = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total_kb += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
        )
        pids.extend(int(child) for child in children)
    return total_kb / 1024


class Product:
    """The three processes on spare ports, with their own database and logs."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        ports = {name: free_port() for name in ("backend", "actions", "rasa")}
        self.backend_url = f"http://127.0.0.1:{ports['backend']}"
        self.rasa_url = f"http://127.0.0.1:{ports['rasa']}"
        self.action_url = f"http://127.0.0.1:{ports['actions']}"
        self.env = {
            **os.environ,
            "APP_ENV": "development",
            "PYTHONWARNINGS": "ignore",
            "DATABASE_URL": f"sqlite:///{workdir / 'billing.db'}",
            "TRACKER_DB_URL": f"sqlite:///{workdir / 'conversations.db'}",
            "BACKEND_PORT": str(ports["backend"]),
            "ACTION_PORT": str(ports["actions"]),
            "RASA_PORT": str(ports["rasa"]),
            "ACTION_ENDPOINT_URL": f"{self.action_url}/webhook",
            "BACKEND_URL": self.backend_url,
            "BACKEND_SERVICE_TOKEN": TOKEN,
            "RASA_URL": self.rasa_url,
            "RASA_TOKEN": "bench-rasa-token",
            "LOG_LEVEL": "WARNING",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def seed(self) -> None:
        bot = str(ROOT / ".venv/bin/bot")
        for command in ([bot, "db", "upgrade"], [bot, "seed"]):
            subprocess.run(command, cwd=ROOT, env=self.env, check=True, capture_output=True)  # noqa: S603

    def start(self) -> None:
        for service in services(self.env):
            log = (self.workdir / f"{service.name}.log").open("ab")
            self.processes[service.name] = subprocess.Popen(  # noqa: S603 - our own commands
                service.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                log = (self.workdir / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited:\n{log}")


async def chat(client: httpx.AsyncClient, rasa_url: str, sender: str, text: str) -> list[str]:
    response = await client.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    )
    response.raise_for_status()
    return [message.get("text", "") for message in response.json()]


def answered(replies: list[str]) -> None:
    """A turn only counts when the bot said something."""
    if not replies:
        raise RuntimeError("the bot did not answer")


async def wait_ready(product: Product, client: httpx.AsyncClient, timeout_s: float) -> float:
    """Seconds from start until the bot answers a message."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        product.check_alive()
        try:
            if await chat(client, product.rasa_url, "bench-ready", "hi"):
                return time.monotonic() - started
        except (httpx.HTTPError, ValueError):
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError(f"the bot did not answer within {timeout_s:.0f} s")


async def timed(call: Callable[[], Awaitable[object]], count: int) -> list[float]:
    """Latencies in ms of `count` calls, one after the other."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def throughput(
    call: Callable[[int], Awaitable[object]], workers: int, seconds: float
) -> float:
    """Completed calls per second with `workers` concurrent callers for `seconds`."""
    deadline = time.monotonic() + seconds
    done = 0

    async def worker(index: int) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            await call(index)
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(worker(index) for index in range(workers)))
    return done / (time.monotonic() - started)


async def verify(client: httpx.AsyncClient, backend_url: str, conversation: str) -> None:
    response = await client.post(
        f"{backend_url}/api/v1/verifications",
        json={
            "conversation_id": conversation,
            "account_number": "100001",
            "date_of_birth": "1985-03-14",
        },
    )
    response.raise_for_status()
    if response.json()["status"] != "verified":
        raise RuntimeError(f"the demo customer did not verify: {response.text}")


async def measure(product: Product, args: argparse.Namespace) -> list[Figure]:
    figures: list[Figure] = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:
        ready_s = await wait_ready(product, client, args.start_timeout)
        figures.append(Figure("start-up until the bot answers", ready_s, "s", 90))

        conversation = f"bench-{uuid.uuid4().hex[:8]}"
        await verify(client, product.backend_url, conversation)
        account = {"X-Conversation-Id": conversation}
        balance_url = f"{product.backend_url}/api/v1/accounts/100001/balance"

        async def balance(_: int = 0) -> None:
            (await client.get(balance_url, headers=account)).raise_for_status()

        reads = await timed(balance, args.requests)
        figures.append(Figure("back end: balance read p50", statistics.median(reads), "ms", 20))
        figures.append(Figure("back end: balance read p95", percentile(reads, 0.95), "ms", 50))
        rate = await throughput(balance, 16, args.seconds)
        figures.append(Figure("back end: balance reads, 16 clients", rate, "req/s", 100, True))

        review_url = f"{product.backend_url}/api/v1/accounts/100001/reviews"

        async def review() -> None:
            key = {"Idempotency-Key": uuid.uuid4().hex, **account}
            (await client.post(review_url, headers=key, json={})).raise_for_status()

        reviews = await timed(review, max(10, args.requests // 10))
        figures.append(Figure("back end: review p95", percentile(reviews, 0.95), "ms", 200))

        sender = f"bench-chat-{uuid.uuid4().hex[:8]}"
        for text in ("what is my balance?", "100001", "1000"):
            await chat(client, product.rasa_url, sender, text)

        async def turn(_: int = 0) -> None:
            answered(await chat(client, product.rasa_url, sender, "what is my balance?"))

        turns = await timed(turn, args.turns)
        figures.append(Figure("bot turn over REST p50", statistics.median(turns), "ms", 300))
        figures.append(Figure("bot turn over REST p95", percentile(turns, 0.95), "ms", 600))

        senders = [f"bench-many-{index}-{uuid.uuid4().hex[:6]}" for index in range(8)]

        async def many(index: int) -> None:
            answered(await chat(client, product.rasa_url, senders[index], "how do I pay my bill?"))

        # Target: 100 chats at once, each writing every 20 s, on one Rasa process.
        rate = await throughput(many, len(senders), args.seconds)
        figures.append(Figure("bot turns, 8 conversations at once", rate, "msg/s", 5, True))

    product.check_alive()
    limits = {"backend": 400.0, "actions": 400.0, "rasa": 2000.0}
    for name, process in product.processes.items():
        figures.append(Figure(f"memory: {name} (RSS)", rss_mb(process.pid), "MB", limits[name]))
    return figures


def report(figures: list[Figure]) -> str:
    lines = [f"{'figure':<42} {'value':>10} {'unit':<6} {'target':>10}  ok"]
    for figure in figures:
        sign = ">=" if figure.higher_is_better else "<="
        target = "" if figure.target is None else f"{sign} {figure.target:g}"
        ok = {True: "yes", False: "NO", None: ""}[figure.meets]
        lines.append(f"{figure.name:<42} {figure.value:>10.1f} {figure.unit:<6} {target:>10}  {ok}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="sequential back-end reads")
    parser.add_argument("--turns", type=int, default=50, help="sequential bot turns")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load phase")
    parser.add_argument("--start-timeout", type=float, default=240.0)
    parser.add_argument("--out", type=Path, default=ROOT / "var/results/bench.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        product = Product(Path(folder))
        print("seeding a fresh database (2,004 customers) ...", flush=True)
        product.seed()
        print("starting back end, action server and Rasa ...", flush=True)
        product.start()
        try:
            figures = asyncio.run(measure(product, args))
        finally:
            product.stop()
    print(report(figures))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = [{**asdict(figure), "meets": figure.meets} for figure in figures]
    args.out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"written to {args.out.relative_to(ROOT)}")
    return 0 if all(figure.meets is not False for figure in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
