"""`make bench`, the back end at scale: seed 100,000 customers into PostgreSQL, then time every
verified read the bot makes with 16 concurrent clients over real HTTP.

1. Creates a throwaway PostgreSQL database (`bench_scale_<random>`) on BENCH_POSTGRES_URL
   (default: the test server, postgresql+psycopg://postgres@127.0.0.1:5432/test), migrates it.
2. `bot seed --customers N` as its own process: wall time and peak RSS (the kernel's ru_maxrss).
3. `bot serve` on that database (one process, as `make run` starts it); 16 conversations verify
   16 different customers spread over the data set.
4. For each verified read the action server makes (balance, latest invoice with lines, bill
   changes, charge lookup, review): first one client at a time (the service time), then 16
   clients at once, each sending its next request when the previous one is answered;
   p50/p95/p99 per read.
5. Counts the SQL statements one request of each read sends (the same app in this process, a
   SQLAlchemy `before_cursor_execute` listener), for a short and a long account history: equal
   counts mean no query per invoice or line (no N+1).
6. Drops the database, also when something failed.

Runs on its own (`.venv/bin/python scripts/bench_backend_scale.py`) or from scripts/bench.py.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_processes import QUIET, SERVICE_TOKEN, BenchError, free_port  # noqa: E402
from scripts.bench_report import Figure, p50, table  # noqa: E402
from scripts.managed_process import ManagedProcess  # noqa: E402

BOT = str(ROOT / ".venv/bin/bot")
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLIENTS = 16
TARGET_P95_MS = 10.0
SEED_TARGET_S = 180.0
SEED_TARGET_MB = 1024.0


@dataclass(frozen=True)
class Read:
    """One verified read of the bot: its name, method and path under /api/v1/accounts/{acct}."""

    name: str
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def writes_key(self) -> bool:
        return self.method == "POST"


READS = (
    Read("balance", "GET", "/balance"),
    Read("latest invoice with lines", "GET", "/invoices/latest"),
    Read("bill changes", "GET", "/invoices/latest/changes"),
    Read("charge lookup", "GET", "/charges", {"text": "plan"}),
    Read("review", "POST", "/reviews"),
)


@dataclass(frozen=True)
class Customer:
    account_number: str
    date_of_birth: str
    invoices: int


@dataclass(frozen=True)
class SeedRun:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 640 samples is the 608th smallest)."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on `server_url`'s server, dropped afterwards."""
    server = make_url(server_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"bench_scale_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _environment(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        **QUIET,
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "BACKEND_PORT": str(port),
        "BACKEND_SERVICE_TOKEN": SERVICE_TOKEN,
    }


def run_seed(env: dict[str, str], customers: int, as_of: dt.date, log: Path) -> SeedRun:
    """`bot db upgrade`, then `bot seed` timed, with its peak RSS from wait4()."""
    with log.open("ab") as out:
        upgrade = subprocess.run(  # noqa: S603 - our own fixed command
            [BOT, "db", "upgrade"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        if upgrade.returncode != 0:
            raise BenchError(f"bot db upgrade failed (see {log})")
        command = [BOT, "seed", "--customers", str(customers), "--as-of", as_of.isoformat()]
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise BenchError(f"bot seed failed with {process.returncode} (see {log})")
    # ru_maxrss is in KiB on Linux.
    return SeedRun(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def sample_customers(url: str, count: int) -> list[Customer]:
    """`count` generated customers spread evenly over the accounts table, with their history."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            top = int(connection.scalar(text("SELECT max(id) FROM accounts")) or 0)
            step = max(1, top // count)
            rows = connection.execute(
                text(
                    "SELECT a.account_number, c.date_of_birth,"
                    " (SELECT count(*) FROM invoices i WHERE i.account_id = a.id)"
                    " FROM accounts a JOIN customers c ON c.id = a.customer_id"
                    " WHERE a.id % :step = 0 ORDER BY a.id LIMIT :count"
                ),
                {"step": step, "count": count},
            ).all()
    finally:
        engine.dispose()
    return [Customer(row[0], row[1].isoformat(), int(row[2])) for row in rows]


def _request(read: Read, conversation: str, serial: int) -> dict[str, Any]:
    headers = {"X-Conversation-Id": conversation}
    if read.writes_key:
        headers["Idempotency-Key"] = f"{conversation}:{read.name}:{serial}"
    return {"params": read.params or None, "headers": headers}


async def _verify(http: httpx.AsyncClient, customers: list[Customer]) -> list[str]:
    conversations = []
    for index, customer in enumerate(customers):
        conversation = f"bench-scale-{uuid.uuid4().hex[:8]}-{index}"
        body = {
            "conversation_id": conversation,
            "account_number": customer.account_number,
            "date_of_birth": customer.date_of_birth,
        }
        response = await http.post("/api/v1/verifications", json=body)
        if response.status_code != 200 or response.json().get("status") != "verified":
            raise BenchError(f"verification failed: {response.status_code} {response.text[:200]}")
        conversations.append(conversation)
    return conversations


async def _client(
    http: httpx.AsyncClient,
    read: Read,
    customer: Customer,
    conversation: str,
    count: int,
    samples: list[float],
) -> int:
    """`count` requests one after the other; returns how many failed."""
    failures = 0
    path = f"/api/v1/accounts/{customer.account_number}{read.path}"
    for serial in range(count):
        started = time.perf_counter()
        response = await http.request(read.method, path, **_request(read, conversation, serial))
        samples.append((time.perf_counter() - started) * 1000)
        failures += response.status_code != 200
    return failures


@dataclass
class ReadTimes:
    """Per read: latencies alone and together (ms), and in the 16-client phase the back end's
    CPU per request (ms, from /proc) and the requests answered per second."""

    alone: dict[str, list[float]] = field(default_factory=dict)
    together: dict[str, list[float]] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)
    client_cpu_ms: dict[str, float] = field(default_factory=dict)
    rate: dict[str, float] = field(default_factory=dict)
    failures: int = 0


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def time_reads(
    base_url: str, customers: list[Customer], requests: int, backend_pid: int
) -> ReadTimes:
    """Per read: one client at a time, then CLIENTS at once."""
    limits = httpx.Limits(max_connections=CLIENTS * 2, max_keepalive_connections=CLIENTS * 2)
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    times = ReadTimes()
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=60
    ) as http:
        conversations = await _verify(http, customers)
        pairs = list(zip(customers, conversations, strict=True))
        for read in READS:  # warm-up: connections, code paths, the first findings of a review
            await asyncio.gather(*(_client(http, read, c, v, 2, []) for c, v in pairs))
        for read in READS:
            alone = times.alone[read.name] = []
            for customer, conversation in pairs:
                count = max(1, requests // 4)
                times.failures += await _client(http, read, customer, conversation, count, alone)
            together = times.together[read.name] = []
            cpu, started = process_cpu_seconds(backend_pid), time.perf_counter()
            client_cpu = time.process_time()
            results = await asyncio.gather(
                *(_client(http, read, c, v, requests, together) for c, v in pairs)
            )
            elapsed = time.perf_counter() - started
            times.client_cpu_ms[read.name] = (
                (time.process_time() - client_cpu) * 1000 / len(together)
            )
            times.cpu_ms[read.name] = (
                (process_cpu_seconds(backend_pid) - cpu) * 1000 / len(together)
            )
            times.rate[read.name] = len(together) / elapsed
            times.failures += sum(results)
    return times


def count_queries(url: str, customers: list[Customer]) -> dict[str, list[int]]:
    """SQL statements per request of each read, for each given customer (same app, in process)."""
    from fastapi.testclient import TestClient

    from bot.api.app import create_app
    from bot.settings import Settings

    settings = Settings(
        _env_file=None,
        app_env="development",
        database_url=url,
        backend_service_token=SERVICE_TOKEN,
    )
    app = create_app(settings)
    statements: list[str] = []

    def listen(*args: Any) -> None:
        statements.append(args[2])

    counts: dict[str, list[int]] = {read.name: [] for read in READS}
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {SERVICE_TOKEN}"
        event.listen(app.state.engine, "before_cursor_execute", listen)
        for customer in customers:
            conversation = f"bench-count-{uuid.uuid4().hex[:8]}"
            body = {
                "conversation_id": conversation,
                "account_number": customer.account_number,
                "date_of_birth": customer.date_of_birth,
            }
            if client.post("/api/v1/verifications", json=body).json().get("status") != "verified":
                raise BenchError("verification failed while counting queries")
            for read in READS:
                path = f"/api/v1/accounts/{customer.account_number}{read.path}"
                statements.clear()
                response = client.request(read.method, path, **_request(read, conversation, 0))
                if response.status_code != 200:
                    raise BenchError(f"{read.name}: {response.status_code} {response.text[:200]}")
                counts[read.name].append(len(statements))
    app.state.engine.dispose()
    return counts


def _start_backend(env: dict[str, str], log: Path) -> ManagedProcess:
    backend = ManagedProcess("backend-scale", [BOT, "serve", "--port", env["BACKEND_PORT"]], log)
    backend.start(env)
    deadline = time.monotonic() + 120
    url = f"http://127.0.0.1:{env['BACKEND_PORT']}/health"
    while time.monotonic() < deadline:
        if not backend.running:
            raise BenchError(f"the back end stopped (see {log})")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return backend
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    backend.stop()
    raise BenchError(f"the back end did not answer /health in 120 s (see {log})")


def _read_figures(times: ReadTimes, counts: dict[str, list[int]]) -> list[Figure]:
    figures = []
    for read in READS:
        samples, alone = times.together[read.name], times.alone[read.name]
        queries = sorted(set(counts[read.name]))
        figures.append(
            Figure(
                f"{read.name}: p95, {CLIENTS} clients at once",
                percentile(samples, 0.95),
                "ms",
                TARGET_P95_MS,
                note=f"p50 {p50(samples):.1f}, p99 {percentile(samples, 0.99):.1f} ms, "
                f"n={len(samples)}, {times.rate[read.name]:.0f} requests/s; one client at a "
                f"time p50 {p50(alone):.1f}, p95 {percentile(alone, 0.95):.1f} ms",
            )
        )
        figures.append(
            Figure(
                f"  {read.name}: back-end CPU per request",
                times.cpu_ms[read.name],
                "ms",
                note="user + system CPU of the bot serve process over the 16-client phase",
            )
        )
        figures.append(
            Figure(
                f"  {read.name}: bench client CPU per request",
                times.client_cpu_ms[read.name],
                "ms",
                note="this process's CPU over the 16-client phase (httpx): it shares the cores",
            )
        )
        figures.append(
            Figure(
                f"  {read.name}: SQL statements per request",
                float(max(queries)),
                "",
                note="same for every history length"
                if len(queries) == 1
                else f"varies with the history: {queries}",
            )
        )
    return figures


@contextmanager
def seeded_database(
    server_url: str, reuse_url: str | None, customers: int, log: Path
) -> Iterator[tuple[str, list[Figure]]]:
    """A seeded database and the seed's figures: `reuse_url` as it is (seeded earlier, kept,
    no seed figures), else a scratch database seeded now and dropped afterwards."""
    if reuse_url is not None:
        yield reuse_url, []
        return
    with scratch_database(server_url) as url:
        env = _environment(url, free_port())
        print(f"back end at scale: seeding {customers} customers into PostgreSQL ...", flush=True)
        seeded = run_seed(env, customers, dt.datetime.now(dt.UTC).date(), log)
        yield (
            url,
            [
                Figure(
                    f"bot seed --customers {customers}, PostgreSQL",
                    seeded.seconds,
                    "s",
                    SEED_TARGET_S,
                    note=f"CPU {seeded.cpu_seconds:.0f} s of the seed process",
                ),
                Figure("  its peak RSS", seeded.peak_rss_mb, "MB", SEED_TARGET_MB),
            ],
        )


def measure(
    customers: int, requests: int, log_dir: Path, reuse_url: str | None = None
) -> tuple[list[Figure], dict[str, str]]:
    """Seed (unless `reuse_url`), serve and time; returns the figures and what was measured on."""
    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_SERVER)
    log = log_dir / "backend-scale.log"
    context: dict[str, str] = {}
    with seeded_database(server, reuse_url, customers, log) as (url, figures):
        env = _environment(url, free_port())
        sample = sample_customers(url, CLIENTS)
        if len(sample) < CLIENTS:
            raise BenchError(f"only {len(sample)} customers to verify; seed more")
        backend = _start_backend(env, log)
        try:
            print(f"timing verified reads, 1 and {CLIENTS} clients ...", flush=True)
            url_backend = f"http://127.0.0.1:{env['BACKEND_PORT']}"
            times = asyncio.run(time_reads(url_backend, sample, requests, backend.pid))
        finally:
            backend.stop()
        shortest = min(sample, key=lambda customer: customer.invoices)
        longest = max(sample, key=lambda customer: customer.invoices)
        counts = count_queries(url, [shortest, longest])
        figures += _read_figures(times, counts)
        figures.append(Figure("  failed reads", times.failures, "", 0))
        seeded = "an earlier seed (--scale-database-url)" if reuse_url else f"{customers} customers"
        context["back end at scale"] = (
            f"{seeded} on PostgreSQL; {CLIENTS} verified customers with "
            f"{shortest.invoices}-{longest.invoices} invoices; {requests} requests per client "
            "per read; one `bot serve` process"
        )
    return figures, context


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """This bench's options (scripts/bench.py offers them too)."""
    parser.add_argument(
        "--skip-backend-scale",
        action="store_true",
        help="do not seed 100,000 customers and time the back end at scale (long: minutes)",
    )
    parser.add_argument(
        "--scale-customers", type=int, default=100_000, help="customers seeded for the scale bench"
    )
    parser.add_argument(
        "--scale-database-url",
        help="time the reads on this already seeded PostgreSQL database (no seed, not dropped), "
        "e.g. to iterate on the back end without seeding 100,000 customers each time",
    )
    parser.add_argument(
        "--scale-requests", type=int, default=40, help="requests per client and read, scale bench"
    )


def run(args: argparse.Namespace, log_dir: Path) -> tuple[list[Figure], dict[str, str]]:
    """What scripts/bench.py calls: the figures, or a note when skipped."""
    if args.skip_backend_scale:
        return [], {"back end at scale": "not measured in this run (--skip-backend-scale)"}
    return measure(args.scale_customers, args.scale_requests, log_dir, args.scale_database_url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--logs", type=Path, default=ROOT / "var/results/bench/logs")
    args = parser.parse_args()
    args.logs.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    own_rss_mb = 0.0
    try:
        figures, context = run(args, args.logs)
    except (BenchError, httpx.HTTPError) as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 2
    own_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(table(figures))
    print("\n".join(f"{f.name.strip()}: {f.note}" for f in figures if f.note))
    print("\n".join(f"{key}: {value}" for key, value in context.items()))
    print(
        "load average at start / end (1 min): "
        f"{load[0]:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"this process's peak RSS {own_rss_mb:.0f} MB"
    )
    return 1 if any(figure.verdict == "FAIL" for figure in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
