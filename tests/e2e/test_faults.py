"""The product under `make run`'s supervisor survives its parts failing, with real processes.

One supervised stack (scripts/run_all.py) on spare ports, the billing data and the conversations on
the PostgreSQL server of this machine, both reached through a TCP proxy the tests control. Each
fault happens mid-conversation and each test ends with 0 lost customer messages (every message
sent is in Rasa's tracker, read over its HTTP API) and 0 silent turns (every message sent got at
least one reply, an apology while a part is down):

- the back end is killed (SIGKILL) and restarted by the supervisor;
- every PostgreSQL connection is cut;
- Rasa is killed (SIGKILL) and restarted by the supervisor; the conversation continues from the
  SQL tracker store (the customer stays verified);
- a 100 KB message with the length cap switched off: Rasa's memory ceiling kills it, the
  supervisor restarts it, the back end and the action server never stop.

Rasa starts three times here (about a minute each on 2 cores).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e import processes
from tests.e2e.conftest import MODEL, Stack, free_port, wait_for_model
from tests.e2e.processes import (
    BALANCE,
    Customer,
    healthy,
    prepare_billing_database,
    product_env,
    start_supervisor,
    started_pids,
    supervisor_events,
    throwaway_databases,
)
from tests.e2e.tcp_proxy import TcpProxy

RESTART_TIMEOUT_S = 480  # Rasa loads in about a minute, several on a busy 2-core machine
BACKEND_DOWN = "can't reach our billing system"
HUGE = "why is my bill so high " * 4400  # 101,200 characters


@dataclass
class Supervised:
    """scripts/run_all.py running the product, and what it logged."""

    stack: Stack
    proxy: TcpProxy
    popen: subprocess.Popen[bytes]
    log_path: Path

    def events(self) -> list[dict[str, Any]]:
        return supervisor_events(self.log_path)

    def pids(self, service: str) -> list[int]:
        return started_pids(self.events(), service)

    def pid(self, service: str) -> int:
        return self.pids(service)[-1]

    def wait_for_start(self, service: str, starts: int) -> None:
        deadline = time.monotonic() + RESTART_TIMEOUT_S
        while len(self.pids(service)) < starts:
            assert time.monotonic() < deadline, self.log_path.read_text()[-4000:]
            assert self.popen.poll() is None, "the supervisor stopped"
            time.sleep(0.2)

    def customer(self) -> Customer:
        return Customer(self.stack.rasa_url)


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = RESTART_TIMEOUT_S) -> None:
    processes.wait_for(check, what, timeout_s)


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervised]:
    if not MODEL.exists():
        raise RuntimeError("no trained model: run `make model` (make test does it)")
    workdir = tmp_path_factory.mktemp("faults")
    with throwaway_databases("faults_billing", "faults_conversations") as databases:
        proxy = TcpProxy("127.0.0.1", 5432)
        proxy_port = proxy.start()
        try:
            yield from _supervised_stack(workdir, databases, proxy, proxy_port)
        finally:
            proxy.stop()


def _supervised_stack(
    workdir: Path, databases: tuple[str, ...], proxy: TcpProxy, proxy_port: int
) -> Iterator[Supervised]:
    backend_port, action_port, rasa_port = free_port(), free_port(), free_port()
    backend_url, rasa_url = f"http://127.0.0.1:{backend_port}", f"http://127.0.0.1:{rasa_port}"
    env = product_env(
        MODEL,
        DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{proxy_port}/{databases[0]}",
        TRACKER_DB_URL=f"postgresql://postgres@127.0.0.1:{proxy_port}/{databases[1]}",
        BACKEND_PORT=str(backend_port),
        ACTION_PORT=str(action_port),
        RASA_PORT=str(rasa_port),
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        BACKEND_URL=backend_url,
        RASA_URL=rasa_url,
        RASA_CORS_ORIGIN=backend_url,
        DESK_QUEUE_UPDATE_SECONDS="0",
        # The length cap is off here: the memory ceiling alone must keep the product up.
        MAX_MESSAGE_CHARS="0",
        RASA_MAX_RSS_MB="3000",
    )
    prepare_billing_database(env)
    log_path = workdir / "run_all.log"
    popen = start_supervisor("scripts/run_all.py", env, log_path)
    stack = Stack(workdir, env, backend_url, rasa_url)
    running = Supervised(stack, proxy, popen, log_path)
    try:
        wait_for(lambda: healthy(f"{backend_url}/health"), "the back end")
        wait_for(lambda: healthy(f"http://127.0.0.1:{action_port}/health"), "the action server")
        wait_for_model(stack, RESTART_TIMEOUT_S)
        yield running
    finally:
        popen.send_signal(signal.SIGTERM)
        popen.wait(timeout=60)


def test_back_end_killed_and_restarted_mid_conversation(supervised: Supervised) -> None:
    customer = supervised.customer()
    customer.verify_as_ana()
    first_backend = supervised.pid("backend")
    os.kill(first_backend, signal.SIGKILL)
    down = customer.say("what's my balance?")
    assert BACKEND_DOWN in " ".join(down)  # told, not left in silence
    supervised.wait_for_start("backend", 2)
    wait_for(lambda: healthy(f"{supervised.stack.backend_url}/health"), "the restarted back end")
    (exited,) = [e for e in supervised.events() if e["event"] == "process.exited"]
    assert (exited["service"], exited["signal"]) == ("backend", "SIGKILL")
    again = customer.say("what's my balance?")
    assert again[0].startswith(BALANCE)  # still verified: the back end's state is in its database
    customer.assert_nothing_lost()


def test_postgres_connections_cut_mid_conversation(supervised: Supervised) -> None:
    customer = supervised.customer()
    customer.verify_as_ana()
    assert supervised.proxy.cut() > 0  # the back end's and the tracker store's connections
    assert customer.say("what's my balance?")[0].startswith(BALANCE)
    for question in ("can you explain my latest bill", "show me my last payments"):
        supervised.proxy.cut()
        assert BACKEND_DOWN not in " ".join(customer.say(question))
    supervised.proxy.cut()
    assert customer.say("what's my balance?")[0].startswith(BALANCE)
    customer.assert_nothing_lost()


def test_rasa_killed_mid_conversation_is_restarted_and_the_conversation_continues(
    supervised: Supervised,
) -> None:
    customer = supervised.customer()
    customer.verify_as_ana()
    others = supervised.pid("backend"), supervised.pid("actions")
    starts = len(supervised.pids("rasa"))
    os.kill(supervised.pid("rasa"), signal.SIGKILL)
    supervised.wait_for_start("rasa", starts + 1)
    wait_for_model(supervised.stack, RESTART_TIMEOUT_S)
    # The tracker came back from PostgreSQL: Ana is still verified, nothing is asked again.
    assert customer.say("what's my balance?")[0].startswith(BALANCE)
    assert (supervised.pid("backend"), supervised.pid("actions")) == others
    customer.assert_nothing_lost()


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    (line,) = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(line.split()[1]) / 1024


def test_a_100kb_message_with_the_cap_off_does_not_stop_the_product(supervised: Supervised) -> None:
    """Either Rasa answers it within its memory ceiling, or the ceiling kills Rasa and the
    supervisor restarts it; the back end and the action server keep running either way.

    (The NLU of 2026-12-06 before the ONNX encoder grew to 16 GB on this message; the current one
    may answer it. The ceiling's kill and restart is also tested in test_supervisor.py.)
    """
    customer = supervised.customer()
    customer.verify_as_ana()
    others = supervised.pid("backend"), supervised.pid("actions")
    rasa_before, starts = supervised.pid("rasa"), len(supervised.pids("rasa"))
    started = time.monotonic()
    try:
        reply = httpx.post(
            f"{supervised.stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": customer.sender, "message": HUGE},
            timeout=RESTART_TIMEOUT_S,
        )
    except httpx.HTTPError:  # Rasa died with the request: the client sees an error
        killed = [e for e in supervised.events() if e["event"] == "process.memory_exceeded"]
        assert [e["service"] for e in killed] == ["rasa"]
        supervised.wait_for_start("rasa", starts + 1)
        wait_for_model(supervised.stack, RESTART_TIMEOUT_S)
        took = time.monotonic() - started
        print(f"\n100 KB message: Rasa killed at its ceiling, back in {took:.0f} s")
    else:
        assert reply.json(), "silent turn"
        customer.sent.append(HUGE.strip())  # Rasa strips a message's ends
        assert supervised.pid("rasa") == rasa_before
        used = rss_mb(rasa_before)
        assert used < 3000
        took = time.monotonic() - started
        print(f"\n100 KB message answered in {took:.1f} s, Rasa RSS {used:.0f} MB")
    assert customer.say("what's my balance?")[0].startswith(BALANCE)
    assert (supervised.pid("backend"), supervised.pid("actions")) == others
    customer.assert_nothing_lost()
