"""`make bench`: our bot against a stock `rasa init` bot, in the same run, as ratios with targets.

1. `rasa train --force` of our bot into a temporary folder, timed (`--skip-train`: not measured).
2. The stock `rasa init` bot (Rasa 3.6's own config, domain and data), trained once and cached
   under var/bench/stock/, served by `rasa run` as a stock project runs it: one worker.
3. Our product as `make run` starts it (scripts/run_all.py's `services()`: back end, action server,
   Rasa) on spare loopback ports, a freshly seeded SQLite database, a copy of models/billing.tar.gz.
4. Over loopback HTTP, alternating between the two bots so noise hits both alike:
   `/model/parse` of realistic billing messages; whole conversations over the REST channel, one at
   a time (ours: account number, date of birth answered with the balance, invoice explained; the
   stock bot: four turns of its own intents); saturated throughput with 16 conversations at once,
   ours with one Sanic worker and with two (Redis lock store, LOCK_STORE_URL), the stock bot one.
5. Our model load (process start to /status with a model), Rasa's VmRSS after the load, and a
   profile from the outside: parse, each kind of turn, and the back-end calls behind a turn.
6. The back end at scale (scripts/bench_backend_scale.py; `--skip-backend-scale` leaves it out):
   `bot seed` of 100,000 customers into a throwaway PostgreSQL database, time and peak RSS, then
   every verified read with 16 clients at once, p50/p95/p99 and SQL statements per request.
7. Throughput that grows with processes (scripts/bench_cluster.py; `--skip-cluster` leaves it
   out): the billing conversation mix at 1, 16 and 64 conversations at once against `make run`'s
   profile and `make run-cluster`'s, p50/p95/p99, msg/s, errors, peak RSS of every process.

Prints PASS/FAIL per target, writes var/results/bench/report.{md,json}, exits 1 when a target
fails. Runs on .venv's Python (httpx; statistics from the standard library).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import bench_backend_scale as backend_scale  # noqa: E402
from scripts import bench_cluster as cluster  # noqa: E402
from scripts import bench_load as load  # noqa: E402
from scripts.bench_processes import (  # noqa: E402
    SERVICE_TOKEN,
    BenchError,
    Product,
    check_alive,
    group_rss_mb,
    stock_model,
    stock_server,
    time_training,
    vm_rss_mb,
)
from scripts.bench_report import Figure, failed, p50, p95, table, write  # noqa: E402

CLIENTS = 16
REDIS_LOCK_STORE = os.environ.get("BENCH_LOCK_STORE_URL", "redis://127.0.0.1:6379/1")


def ratio(name: str, ours: float, stock: float, target: float, higher: bool, note: str) -> Figure:
    return Figure(name, ours / stock, "x", target, higher, note)


def saturated(
    ours: load.Bot, stock: load.Bot, args: argparse.Namespace
) -> tuple[load.Throughput, load.Throughput]:
    """Alternating rounds of the two bots; each total is turns over seconds of its rounds."""
    totals = {"ours": load.Throughput(0, 0, 0.0), "stock": load.Throughput(0, 0, 0.0)}
    for _ in range(args.rounds):
        for name, bot in (("stock", stock), ("ours", ours)):
            check_alive(bot.server.process)
            got = asyncio.run(load.saturate(bot, CLIENTS, args.seconds, args.max_turns))
            total = totals[name]
            totals[name] = load.Throughput(
                total.turns + got.turns, total.failures + got.failures, total.seconds + got.seconds
            )
    return totals["ours"], totals["stock"]


async def backend_profile(product: Product, count: int) -> dict[str, list[float]]:
    """The back-end calls behind our turns, timed directly (what the action server waits for)."""
    conversation = f"bench-profile-{uuid.uuid4().hex[:8]}"
    base = f"{product.backend_url}/api/v1"
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    account = {**headers, "X-Conversation-Id": conversation}
    samples: dict[str, list[float]] = {"verification": [], "balance": [], "latest invoice": []}
    async with httpx.AsyncClient(timeout=30, headers=headers) as http:

        async def timed(kind: str, method: str, path: str, **kwargs: object) -> httpx.Response:
            started = asyncio.get_running_loop().time()
            response = await http.request(method, f"{base}{path}", **kwargs)  # type: ignore[arg-type]
            samples[kind].append((asyncio.get_running_loop().time() - started) * 1000)
            response.raise_for_status()
            return response

        for index in range(count):
            body = {
                "conversation_id": f"{conversation}-{index}",
                "account_number": "100001",
                "date_of_birth": "1985-03-14",
            }
            if (await timed("verification", "POST", "/verifications", json=body)).json()[
                "status"
            ] != "verified":
                raise BenchError("the demo customer did not verify")
        await http.post(f"{base}/verifications", json={**body, "conversation_id": conversation})
        for _ in range(count):
            await timed("balance", "GET", "/accounts/100001/balance", headers=account)
            await timed(
                "latest invoice", "GET", "/accounts/100001/invoices/latest", headers=account
            )
    return samples


def long_conversation_figures(bots: dict[str, load.Bot], turns: int) -> list[Figure]:
    """Issue 11: how a turn's p50 grows from the first turns of one long conversation to its
    last ones, ours against the stock bot's (growth = p50 of the last 15 / p50 of turns 1-15)."""
    scripts = {
        "ours": load.long_script(load.OURS_CONVERSATION[:3], load.OURS_LONG_CYCLE, turns),
        "stock": load.long_script((), load.STOCK_CONVERSATION, turns),
    }
    timings = asyncio.run(load.long_conversations(bots, scripts))
    window = min(load.LONG_WINDOW, turns // 2)
    first = {name: p50(samples[:window]) for name, samples in timings.items()}
    last = {name: p50(samples[-window:]) for name, samples in timings.items()}
    growth = {name: last[name] / first[name] for name in timings}
    span = f"turns {turns - window + 1}-{turns} / 1-{window}"
    return [
        ratio(
            f"long conversation: turn p50 growth ({span}), ours / stock",
            growth["ours"],
            growth["stock"],
            1.0,
            False,
            f"ours x{growth['ours']:.2f}, stock x{growth['stock']:.2f}, one conversation each",
        ),
        *(
            Figure(
                f"  {name} turn p50, turns {turns - window + 1}-{turns}",
                last[name],
                "ms",
                note=f"turns 1-{window}: {first[name]:.1f} ms",
            )
            for name in ("ours", "stock")
        ),
    ]


def measure(
    args: argparse.Namespace, workdir: Path, log_dir: Path
) -> tuple[list[Figure], dict[str, object]]:
    figures: list[Figure] = []
    context: dict[str, object] = {}

    if args.skip_train:
        train_s: float | None = None
        train_note = "not measured in this run (--skip-train)"
    else:
        print("timing `rasa train --force` of our bot (temporary folder and cache) ...", flush=True)
        train_s = time_training(workdir, log_dir, args.train_timeout)
        train_note = "rasa train --force into a temporary folder, this run"
        shutil.rmtree(workdir / "train-out", ignore_errors=True)
        shutil.rmtree(workdir / "train-cache", ignore_errors=True)

    model_stock, trained = stock_model(log_dir)
    print(
        f"stock rasa init model: {model_stock.relative_to(ROOT)}",
        "(trained now)" if trained else "(cached)",
        flush=True,
    )
    context["stock model"] = str(model_stock.relative_to(ROOT))

    # Our model is copied: `make model` may replace models/billing.tar.gz during the run.
    model_ours = workdir / "billing.tar.gz"
    shutil.copy2(ROOT / "models/billing.tar.gz", model_ours)
    context["our model sha256"] = hashlib.sha256(model_ours.read_bytes()).hexdigest()[:16]
    context["our config.yml sha256"] = hashlib.sha256(
        (ROOT / "config.yml").read_bytes()
    ).hexdigest()[:16]

    stock = stock_server(model_stock, log_dir)
    product = Product(workdir, model_ours)
    try:
        print("starting the stock bot (1 worker) ...", flush=True)
        stock.process.start(stock.env)
        stock_load_s = stock.wait_loaded(args.start_timeout)
        stock_rss = vm_rss_mb(stock.process.pid)

        print(
            "seeding a fresh database, starting back end, action server and our Rasa ...",
            flush=True,
        )
        product.seed()
        product.start_helpers()
        ours = product.start_rasa("rasa", {})
        ours_load_s = ours.wait_loaded(args.start_timeout)
        ours_rss = vm_rss_mb(ours.process.pid)
        figures += [
            Figure("our model load (start to /status with a model)", ours_load_s, "s", 40),
            Figure("stock model load (same)", stock_load_s, "s"),
            Figure("rasa train --force of our bot", train_s, "s", 300, note=train_note),
            Figure("our Rasa VmRSS after the load", ours_rss, "MB", 1536),
            Figure("stock Rasa VmRSS after the load", stock_rss, "MB"),
        ]

        bots = {
            "ours": load.Bot(ours, load.OURS_CONVERSATION),
            "stock": load.Bot(stock, load.STOCK_CONVERSATION),
        }
        print("warming up, then parses and conversations (alternating) ...", flush=True)
        asyncio.run(load.warm_up(bots))
        parsed = asyncio.run(
            load.parses({name: bot.server for name, bot in bots.items()}, args.parse_rounds)
        )
        figures += [
            ratio(
                "NLU parse p50, ours / stock",
                p50(parsed["ours"]),
                p50(parsed["stock"]),
                1.5,
                False,
                "POST /model/parse",
            ),
            Figure(
                "  ours parse p50 / p95",
                p50(parsed["ours"]),
                "ms",
                note=f"p95 {p95(parsed['ours']):.1f} ms, n={len(parsed['ours'])}",
            ),
            Figure(
                "  stock parse p50 / p95",
                p50(parsed["stock"]),
                "ms",
                note=f"p95 {p95(parsed['stock']):.1f} ms, n={len(parsed['stock'])}",
            ),
        ]
        talks = asyncio.run(load.conversations(bots, args.conversations, "ours"))
        figures += [
            ratio(
                "REST turn p50, one conversation, ours / stock",
                p50(talks.by_bot["ours"]),
                p50(talks.by_bot["stock"]),
                1.3,
                False,
                "4 turns per conversation",
            ),
            Figure(
                "  ours turn p50",
                p50(talks.by_bot["ours"]),
                "ms",
                note=f"p95 {p95(talks.by_bot['ours']):.1f} ms, n={len(talks.by_bot['ours'])}",
            ),
            Figure(
                "  stock turn p50",
                p50(talks.by_bot["stock"]),
                "ms",
                note=f"p95 {p95(talks.by_bot['stock']):.1f} ms, n={len(talks.by_bot['stock'])}",
            ),
            *(
                Figure(f"  ours turn p50: {kind}", p50(samples), "ms")
                for kind, samples in talks.by_turn.items()
            ),
        ]
        for kind, samples in asyncio.run(backend_profile(product, args.conversations * 2)).items():
            figures.append(
                Figure(f"  back end p50: {kind}", p50(samples), "ms", note="direct HTTP")
            )

        print(f"one {args.long_turns}-turn conversation per bot (alternating) ...", flush=True)
        figures += long_conversation_figures(bots, args.long_turns)

        print(f"throughput, {CLIENTS} conversations at once, ours with 1 worker ...", flush=True)
        one_ours, one_stock = saturated(bots["ours"], bots["stock"], args)
        product.stop("rasa")

        print("restarting our Rasa with SANIC_WORKERS=2 and the Redis lock store ...", flush=True)
        two = product.start_rasa(
            "rasa-2", {"SANIC_WORKERS": "2", "LOCK_STORE_URL": REDIS_LOCK_STORE}
        )
        two.wait_loaded(args.start_timeout)
        bots["ours"] = load.Bot(two, load.OURS_CONVERSATION)
        asyncio.run(load.warm_up({"ours": bots["ours"]}))
        two_ours, two_stock = saturated(bots["ours"], bots["stock"], args)
        two_rss = group_rss_mb(two.process.pid)
        figures += [
            ratio(
                f"throughput {CLIENTS} conv., ours 2 workers / stock 1",
                two_ours.rate,
                two_stock.rate,
                1.0,
                True,
                "SANIC_WORKERS=2, Redis lock store, SQLite tracker store",
            ),
            ratio(
                f"throughput {CLIENTS} conv., ours 1 worker / stock 1",
                one_ours.rate,
                one_stock.rate,
                1.0,
                True,
                "as make run runs",
            ),
            Figure(
                "  ours, 2 workers",
                two_ours.rate,
                "msg/s",
                note=f"{two_ours.failures} failed turns",
            ),
            Figure(
                "  ours, 1 worker", one_ours.rate, "msg/s", note=f"{one_ours.failures} failed turns"
            ),
            Figure(
                "  stock, 1 worker (during ours 2 / ours 1)",
                two_stock.rate,
                "msg/s",
                note=f"{one_stock.rate:.1f} msg/s in the 1-worker phase; "
                f"{one_stock.failures + two_stock.failures} failed turns",
            ),
            Figure("  our Rasa with 2 workers, RSS of all its processes", two_rss, "MB"),
        ]
        failures = one_ours.failures + two_ours.failures + one_stock.failures + two_stock.failures
        figures.append(Figure("failed turns under load (all bots)", failures, "", 0))
    finally:
        stock.process.stop()
        product.stop()
    return figures, context


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parse-rounds", type=int, default=5, help="times each message is parsed")
    parser.add_argument(
        "--conversations", type=int, default=15, help="sequential conversations per bot"
    )
    parser.add_argument(
        "--seconds", type=float, default=15.0, help="length of each throughput round"
    )
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds per bot and phase")
    parser.add_argument("--max-turns", type=int, default=5000, help="cap on turns per round")
    parser.add_argument(
        "--long-turns", type=int, default=load.LONG_TURNS, help="turns of the long conversation"
    )
    parser.add_argument("--start-timeout", type=float, default=300.0)
    parser.add_argument("--train-timeout", type=float, default=1200.0)
    parser.add_argument("--skip-train", action="store_true", help="do not time rasa train")
    parser.add_argument("--out", type=Path, default=ROOT / "var/results/bench")
    backend_scale.add_arguments(parser)
    cluster.add_arguments(parser)
    args = parser.parse_args()
    args.out = args.out.resolve()
    load_average = os.getloadavg()
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        workdir = Path(folder)
        log_dir = args.out / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        try:
            figures, context = measure(args, workdir, log_dir)
            scale_figures, scale_context = backend_scale.run(args, log_dir)
            figures, context = figures + scale_figures, {**context, **scale_context}
            cluster_figures, cluster_context = cluster.run(args, log_dir)
            figures, context = figures + cluster_figures, {**context, **cluster_context}
        except (BenchError, subprocess.SubprocessError, httpx.HTTPError, load.TurnFailed) as error:
            for log in workdir.glob("*.log"):
                shutil.copy2(log, log_dir / log.name)
            print(f"bench failed: {error} (logs in {log_dir})", file=sys.stderr)
            return 2
    context = {
        "started (UTC)": started.isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load average at start (1/5/15 min)": " / ".join(f"{value:.1f}" for value in load_average),
        "load average at end": " / ".join(f"{value:.1f}" for value in os.getloadavg()),
        **context,
    }
    print(table(figures))
    print("\n".join(f"{key}: {value}" for key, value in context.items()))
    write(args.out, figures, context)
    print(f"written to {args.out / 'report.md'} and report.json")
    misses = failed(figures)
    if misses:
        print(f"FAIL: {', '.join(figure.name.strip() for figure in misses)}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
