"""Throughput that grows with processes: the billing conversation mix at 1, 16 and 64 concurrent
conversations against `make run`'s profile and `make run-cluster`'s, in one run.

- `make run`'s profile: back end, action server and one Rasa (one Sanic worker), SQLite, the HTTP
  event broker, on spare ports (scripts/bench_processes.py's Product, as the rest of the bench).
- the cluster profile: scripts/run_cluster.py's processes (HAProxy, 2 Rasa, 2 action servers,
  2 back ends) on throwaway PostgreSQL databases, Redis, and a RabbitMQ queue and exchange of
  this run's own, all removed at the end. Conversations go through HAProxy.

The profiles run one after the other (never both at once: they share the 2 cores). At each level
N conversations run at once for `--cluster-seconds`, each client starting the next conversation
of the mix when one ends; every turn must get the reply its script expects (else it is an error
and that conversation stops). Printed: p50/p95/p99 turn time, messages per second, errors, the
CPU time the profile's processes used per message (PostgreSQL, Redis and RabbitMQ are the
machine's shared services, not counted), and the peak resident memory of every process (its
process group), sampled every half second.
Target: the cluster holds 64 conversations with 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import run_cluster  # noqa: E402
from scripts.bench_load import TurnFailed  # noqa: E402
from scripts.bench_processes import (  # noqa: E402
    QUIET,
    RASA_TOKEN,
    SERVICE_TOKEN,
    BenchError,
    Product,
    RasaServer,
    free_port,
    group_rss_mb,
    wait_http,
)
from scripts.bench_report import Figure, p50, p95  # noqa: E402
from scripts.managed_process import ManagedProcess  # noqa: E402
from scripts.process_groups import group_usage  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
LEVELS = (1, 16, 64)
MODEL = ROOT / "models/billing.tar.gz"

# The billing conversation mix: (message, text its replies must contain). Verified customers
# (Ana, Marko) asking for the balance, the invoice explained, why the bill went up, payments.
MIX: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("what's my balance?", "account number"),
        ("100001", "date of birth"),
        ("14 March 1985", "Your balance is"),
        ("can you explain my latest bill", "Invoice INV-"),
    ),
    (
        ("hi", "billing assistant"),
        ("why is my bill so high?", "account number"),
        ("100002", "date of birth"),
        ("2 November 1979", "you're verified"),
        ("show me my last payments", "Your last payments:"),
    ),
    (
        ("how do I check what payment methods are accepted?", "account number"),
        ("100001", "date of birth"),
        ("14 March 1985", "you're verified"),
        ("what's my balance?", "Your balance is"),
    ),
)


async def rest_turn(http: httpx.AsyncClient, url: str, sender: str, text: str, expect: str) -> None:
    """One message over the REST channel; TurnFailed unless a reply contains `expect`."""
    response = await http.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    )
    if response.status_code != 200:
        raise TurnFailed(f"HTTP {response.status_code}")
    replies = " ".join(str(message.get("text", "")) for message in response.json())
    if expect not in replies:
        raise TurnFailed(f"expected {expect!r}")


def cpu_seconds(pgids: set[int]) -> dict[int, float]:
    """CPU time (user + system, children included) used so far by each of these process groups."""
    return {pgid: usage.cpu_seconds for pgid, usage in group_usage(pgids).items()}


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


@dataclass
class LevelResult:
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    cpu_by_process: dict[str, float] = field(default_factory=dict)  # seconds during the level

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_by_process.values())

    @property
    def cpu_ms_per_message(self) -> float:
        return self.cpu_seconds * 1000 / max(1, len(self.latencies_ms))

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds


async def run_level(url: str, clients: int, seconds: float) -> LevelResult:
    """`clients` conversations at once for `seconds`, each client going through the mix."""
    deadline = time.monotonic() + seconds
    result = LevelResult(clients, seconds)

    async def one_client(http: httpx.AsyncClient, index: int) -> None:
        script = index
        while time.monotonic() < deadline:
            sender = f"bench-cluster-{uuid.uuid4().hex[:12]}"
            for text, expect in MIX[script % len(MIX)]:
                if time.monotonic() >= deadline:
                    return
                started = time.perf_counter()
                try:
                    await rest_turn(http, url, sender, text, expect)
                except (TurnFailed, httpx.HTTPError, ValueError):
                    result.errors += 1
                    break  # off script: start a new conversation
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
            script += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await asyncio.gather(*(one_client(http, i) for i in range(clients)))
    result.seconds = time.monotonic() - started
    return result


class PeakMemory:
    """Samples the resident memory of each process group every half second; keeps the peak."""

    def __init__(self, processes: dict[str, ManagedProcess]) -> None:
        self.processes = processes
        self.peak_mb: dict[str, float] = dict.fromkeys(processes, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            for name, process in self.processes.items():
                if process.running:
                    used = group_rss_mb(process.pid)
                    self.peak_mb[name] = max(self.peak_mb[name], used)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class ProfileResult:
    name: str
    levels: list[LevelResult]
    peak_mb: dict[str, float]


def measure_profile(
    name: str, url: str, processes: dict[str, ManagedProcess], seconds: float
) -> ProfileResult:
    with PeakMemory(processes) as memory:
        asyncio.run(run_level(url, 2, min(seconds, 10)))  # warm-up: caches, connections
        levels = []
        groups = {process.pid: name for name, process in processes.items()}
        for clients in LEVELS:
            before = cpu_seconds(set(groups))
            level = asyncio.run(run_level(url, clients, seconds))
            after = cpu_seconds(set(groups))
            level.cpu_by_process = {name: after[pid] - before[pid] for pid, name in groups.items()}
            print(
                f"  {name}, {clients} conversations: {level.rate:.1f} msg/s, "
                f"p50 {p50(level.latencies_ms) if level.latencies_ms else 0:.0f} ms, "
                f"{level.errors} errors, {level.cpu_ms_per_message:.0f} CPU ms per message",
                flush=True,
            )
            levels.append(level)
        for process in processes.values():
            if not process.running:
                raise BenchError(f"{process.name} died during the bench:\n{process.log()[-2000:]}")
    return ProfileResult(name, levels, memory.peak_mb)


def single_profile(workdir: Path, seconds: float, start_timeout: float) -> ProfileResult:
    product = Product(workdir / "single", MODEL)
    product.workdir.mkdir(parents=True, exist_ok=True)
    try:
        product.seed()
        product.start_helpers()
        rasa = product.start_rasa("rasa", {})
        rasa.wait_loaded(start_timeout)
        return measure_profile("make run", rasa.url, product.processes, seconds)
    finally:
        product.stop()


@contextmanager
def throwaway_services(tag: str) -> Iterator[dict[str, str]]:
    """PostgreSQL databases, a RabbitMQ queue and exchange of this run; removed afterwards."""
    names = {"billing": f"bench_cluster_billing_{tag}", "trackers": f"bench_cluster_trackers_{tag}"}
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        for database in names.values():
            connection.execute(f'CREATE DATABASE "{database}"')
    try:
        yield {
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{names['billing']}",
            "TRACKER_DB_URL": f"postgresql://postgres@127.0.0.1:5432/{names['trackers']}",
            "RABBITMQ_QUEUE": f"bench-cluster-{tag}",
            "RABBITMQ_EXCHANGE": f"bench-cluster-{tag}",
        }
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            for database in names.values():
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        asyncio.run(_delete_rabbitmq_objects(f"bench-cluster-{tag}"))


async def _delete_rabbitmq_objects(name: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)
        await channel.exchange_delete(name)


def cluster_profile(workdir: Path, seconds: float, start_timeout: float) -> ProfileResult:
    folder = workdir / "cluster"
    folder.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    with throwaway_services(tag) as services:
        base = {
            **os.environ,
            **QUIET,
            **services,
            "APP_ENV": "development",
            "BACKEND_SERVICE_TOKEN": SERVICE_TOKEN,
            "RASA_TOKEN": RASA_TOKEN,
            "RASA_MODEL": str(MODEL),
            "BACKEND_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "CLUSTER_PORTS_FROM": str(_replica_ports_from()),
            "CLUSTER_DIR": str(folder),
            "SANIC_WORKERS": "1",
        }
        env = run_cluster.cluster_env(base)
        run_cluster.prepare(env, ["--customers", "40"])  # configs, migrations, demo customers
        processes = {
            service.name: ManagedProcess(
                service.name, service.command, folder / f"{service.name}.log"
            )
            for service in run_cluster.cluster_services(env)
        }
        try:
            for process in processes.values():
                process.start(env)
            for replica in run_cluster.replicas(env):
                url = f"http://127.0.0.1:{replica.port}"
                process = processes[replica.name]
                if replica.kind == "rasa":
                    RasaServer(process, url, RASA_TOKEN).wait_loaded(start_timeout)
                else:
                    wait_http(f"{url}/health", process, start_timeout)
            url = f"http://127.0.0.1:{env['RASA_PORT']}"
            return measure_profile("cluster", url, processes, seconds)
        finally:
            for process in processes.values():
                process.stop()


def _replica_ports_from() -> int:
    import socket

    for first in range(30_000, 60_000, 100):
        try:
            for port in range(first, first + 30):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise BenchError("no free port range for the cluster's replicas")


def figures(results: Sequence[ProfileResult]) -> list[Figure]:
    out: list[Figure] = []
    for result in results:
        for level in result.levels:
            prefix = f"{result.name}, {level.clients} conversations:"
            samples = level.latencies_ms or [0.0]
            several = len(samples) > 1
            out += [
                Figure(f"{prefix} turn p50", p50(samples), "ms"),
                Figure("  turn p95", p95(samples) if several else samples[0], "ms"),
                Figure("  turn p99", p99(samples) if several else samples[0], "ms"),
                Figure("  messages per second", level.rate, "msg/s", higher_is_better=True),
                Figure(
                    "  CPU per message, all the profile's processes", level.cpu_ms_per_message, "ms"
                ),
                Figure(
                    "  errors (wrong or no reply, HTTP error)",
                    level.errors,
                    "",
                    0 if result.name == "cluster" and level.clients == 64 else None,
                ),
            ]
        busiest = result.levels[-1]
        for process, used in sorted(busiest.cpu_by_process.items()):
            share = used * 1000 / max(1, len(busiest.latencies_ms))
            out.append(Figure(f"{result.name}: CPU per message, {process}", share, "ms"))
        for process, peak in sorted(result.peak_mb.items()):
            out.append(Figure(f"{result.name}: peak RSS {process}", peak, "MB"))
    by_name = {result.name: result for result in results}
    if {"make run", "cluster"} <= set(by_name):
        for single, cluster in zip(
            by_name["make run"].levels, by_name["cluster"].levels, strict=True
        ):
            out.append(
                Figure(
                    f"cluster / make run, msg/s at {single.clients} conversations",
                    cluster.rate / single.rate if single.rate else 0.0,
                    "x",
                )
            )
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """This bench's options (scripts/bench.py offers them too)."""
    parser.add_argument(
        "--skip-cluster", action="store_true", help="do not bench make run against the cluster"
    )
    parser.add_argument(
        "--cluster-seconds", type=float, default=30.0, help="length of each concurrency level"
    )


def run(args: argparse.Namespace, log_dir: Path) -> tuple[list[Figure], dict[str, str]]:
    """What scripts/bench.py calls: the figures, or a note when skipped."""
    if args.skip_cluster:
        return [], {"cluster profile": "not measured in this run (--skip-cluster)"}
    start_timeout = getattr(args, "start_timeout", 300.0)
    workdir = log_dir / "cluster-bench"
    results = [
        single_profile(workdir, args.cluster_seconds, start_timeout),
        cluster_profile(workdir, args.cluster_seconds, start_timeout),
    ]
    context = {
        "cluster bench": f"levels {', '.join(map(str, LEVELS))} conversations, "
        f"{args.cluster_seconds:.0f} s each, conversation mix of {len(MIX)} scripts; "
        "processes' logs under " + str(workdir),
    }
    return figures(results), context


def main() -> int:
    from scripts.bench_report import failed, table, write

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--start-timeout", type=float, default=300.0)
    parser.add_argument("--out", type=Path, default=ROOT / "var/results/bench-cluster")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    load_average = os.getloadavg()
    found, context = run(args, args.out)
    context = {
        "cpus": str(os.cpu_count()),
        "load average at start (1/5/15 min)": " / ".join(f"{v:.1f}" for v in load_average),
        "load average at end": " / ".join(f"{v:.1f}" for v in os.getloadavg()),
        **context,
    }
    print(table(found))
    print("\n".join(f"{key}: {value}" for key, value in context.items()))
    write(args.out, found, context)
    return 1 if failed(found) else 0


if __name__ == "__main__":
    sys.exit(main())
