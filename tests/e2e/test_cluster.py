"""The scale-out profile (`make run-cluster`) with real processes on this machine's services.

scripts/run_cluster.py starts HAProxy, 2 Rasa servers, 2 action servers and 2 back ends on spare
ports, on fresh PostgreSQL databases (billing data, trackers), Redis (lock store, socket.io
rooms, desk events) and RabbitMQ (Rasa's event broker, a queue and exchange of this test's own):

- a conversation whose turns alternate between the two Rasa replicas, addressed directly, and two
  messages sent to both at once, stays one consistent conversation;
- one replica of each part (Rasa, actions, back end) killed with SIGKILL mid-conversation, the
  conversation going on through HAProxy: every message in the tracker and a right answer to each;
- a widget (socket.io) connected to one Rasa process gets the agent's reply sent from the desk
  through the other Rasa process (HAProxy's access log says which), and a customer message
  taken from RabbitMQ by one back end reaches the desk pages streaming from both back ends.

The two Rasa processes load their models at the same time (1-3 minutes on a busy 2-core machine).
"""

from __future__ import annotations

import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e import processes
from tests.e2e.conftest import MODEL, ROOT, SERVICE_TOKEN, free_port
from tests.e2e.processes import (
    BALANCE,
    Customer,
    chat,
    prepare_billing_database,
    product_env,
    start_supervisor,
    started_pids,
    supervisor_events,
    throwaway_databases,
    tracker_user_texts,
)

START_TIMEOUT_S = 480
AGENT_PREFIX = "Maria (billing team): "


def ports_free(first: int, count: int) -> bool:
    for port in range(first, first + count):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def replica_ports_from() -> int:
    """A base port with the 30 ports run_cluster gives the replicas free."""
    for _ in range(50):
        first = random.randrange(20_000, 40_000, 100)
        if ports_free(first, 30):
            return first
    raise RuntimeError("no free port range for the replicas")


@dataclass
class Cluster:
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes]

    @property
    def web_url(self) -> str:  # HAProxy: website, desk, socket.io, REST channel
        return f"http://127.0.0.1:{self.env['BACKEND_PORT']}"

    @property
    def rasa_url(self) -> str:  # HAProxy: Rasa
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    def replica_url(self, name: str) -> str:
        first = int(self.env["CLUSTER_PORTS_FROM"])
        kind, index = name.split("-")
        offset = {"rasa": 0, "actions": 10, "backend": 20}[kind]
        return f"http://127.0.0.1:{first + offset + int(index) - 1}"

    def lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()

    def events(self) -> list[dict[str, Any]]:
        return supervisor_events(self.log_path)

    def pid(self, service: str) -> int:
        return started_pids(self.events(), service)[-1]

    def exited(self, pid: int) -> bool:
        return any(e["event"] == "process.exited" and e["pid"] == pid for e in self.events())

    def access_log(self) -> list[str]:
        """HAProxy's lines: `<backend>/<server> <method> <path> <status> <times>`."""
        return [
            line.split(" | ", 1)[1]
            for line in self.lines()
            if line.lstrip().startswith("haproxy |")
        ]


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = START_TIMEOUT_S) -> None:
    processes.wait_for(check, what, timeout_s, interval_s=1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not MODEL.exists():
        raise RuntimeError("no trained model: run `make model` (make test does it)")
    workdir = tmp_path_factory.mktemp("cluster")
    tag = uuid.uuid4().hex[:8]
    with throwaway_databases("cluster_billing", "cluster_trackers") as databases:
        env = product_env(
            MODEL,
            BACKEND_PORT=str(free_port()),
            RASA_PORT=str(free_port()),
            ACTION_PORT=str(free_port()),
            CLUSTER_PORTS_FROM=str(replica_ports_from()),
            CLUSTER_DIR=str(workdir),
            CLUSTER_ACCESS_LOG="1",
            DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{databases[0]}",
            TRACKER_DB_URL=f"postgresql://postgres@127.0.0.1:5432/{databases[1]}",
            RABBITMQ_QUEUE=f"cluster-test-{tag}",
            RABBITMQ_EXCHANGE=f"cluster-test-{tag}",
            DESK_QUEUE_UPDATE_SECONDS="0",
            DESK_CALLBACK_ABOVE_SECONDS="86400",
        )
        prepare_billing_database(env)
        try:
            yield from _running_cluster(env, workdir / "run_cluster.log")
        finally:
            _delete_rabbitmq_objects(env)


def _running_cluster(env: dict[str, str], log_path: Path) -> Iterator[Cluster]:
    popen = start_supervisor("scripts/run_cluster.py", env, log_path)
    running = Cluster(env, log_path, popen)
    try:
        for name in ("backend-1", "backend-2", "actions-1", "actions-2"):
            url = running.replica_url(name)
            wait_for(lambda url=url: httpx.get(f"{url}/health", timeout=2).is_success, name)
        for name in ("rasa-1", "rasa-2"):
            url = running.replica_url(name)
            wait_for(lambda url=url: bool(chat(url, "readiness-probe", "hi")), f"{name}'s model")
        yield running
    finally:
        popen.send_signal(signal.SIGTERM)
        try:
            popen.wait(timeout=60)
        finally:
            # Kept after the run (pytest's temporary folders rotate): every process's output.
            kept = ROOT / "var/results/e2e-cluster"
            kept.mkdir(parents=True, exist_ok=True)
            shutil.copy2(log_path, kept / "run_cluster.log")


def _delete_rabbitmq_objects(env: dict[str, str]) -> None:
    import asyncio

    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(env["RABBITMQ_QUEUE"])
            await channel.exchange_delete(env["RABBITMQ_EXCHANGE"])

    asyncio.run(delete())


def test_turns_alternating_between_rasa_replicas_stay_one_conversation(cluster: Cluster) -> None:
    one, two = cluster.replica_url("rasa-1"), cluster.replica_url("rasa-2")
    customer = Customer(one)
    customer.verify_as_ana(one, then_via=two)  # question on 1, account number on 2, birth date on 1
    assert customer.say("what's my balance?", via=two)[0].startswith(BALANCE)  # still verified on 2

    # Both replicas at once, same conversation: the Redis lock store takes them one at a time.
    questions = {one: "what's my balance?", two: "how much do I owe?"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda url: chat(url, customer.sender, questions[url]), questions))
    customer.sent.extend(questions.values())
    for replies in answers:
        assert replies, answers
        assert replies[0].startswith(BALANCE), answers

    stored_one, stored_two = (
        tracker_user_texts(one, customer.sender),
        tracker_user_texts(two, customer.sender),
    )
    assert stored_one == stored_two  # one tracker, whichever replica is asked
    assert sorted(map(str, stored_one[-2:])) == sorted(questions.values())
    customer.sent[-2:] = stored_one[-2:]  # the lock decided their order
    customer.assert_nothing_lost(one)


class Widget:
    """tests/e2e/widget_client.py (python-socketio, .venv-rasa) connected to one Rasa."""

    def __init__(self, url: str, session_id: str) -> None:
        self.popen = subprocess.Popen(  # noqa: S603 - our own client
            [
                str(ROOT / ".venv-rasa/bin/python"),
                str(ROOT / "tests/e2e/widget_client.py"),
                url,
                session_id,
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.next_event()["event"] == "session_confirm"

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.received.put(json.loads(line))

    def next_event(self, timeout_s: float = 60) -> dict[str, Any]:
        return self.received.get(timeout=timeout_s)

    def send(self, text: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(text + "\n")
        self.popen.stdin.flush()
        assert self.next_event() == {"event": "sent", "text": text}

    def bot_texts(self, until: Callable[[str], bool], timeout_s: float = 90) -> list[str]:
        """Bot messages received until one satisfies `until` (AssertionError on timeout)."""
        texts: list[str] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                event = self.next_event(max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if event["event"] == "bot_uttered":
                texts.append(event["text"])
                if until(event["text"]):
                    return texts
        raise AssertionError(f"not received; got {texts}")

    def close(self) -> None:
        if self.popen.stdin is not None:
            self.popen.stdin.close()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        if self.popen.stdout is not None:
            self.popen.stdout.close()


class Stream:
    """The desk page's event stream (SSE) from one back end, read in a thread."""

    def __init__(self, url: str, cookies: httpx.Cookies) -> None:
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self._client = httpx.Client(
            base_url=url, cookies=cookies, timeout=httpx.Timeout(10, read=90)
        )
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self._ready.wait(30), "the stream did not open"

    def _read(self) -> None:
        kind = ""
        try:
            with self._client.stream("GET", "/desk/api/stream") as response:
                self._ready.set()
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        kind = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        self.events.put((kind, json.loads(line.removeprefix("data: "))))
        except httpx.HTTPError:
            return  # the back end stopped (end of the test module)

    def wait_for_message(self, text: str, timeout_s: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                kind, data = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if kind == "message" and data["message"]["text"] == text:
                return data
        raise AssertionError(f"{text!r} not pushed within {timeout_s} s")


def desk_login(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    form = client.get("/desk/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the login form carries a CSRF token"
    login = {"username": "maria", "password": "maria-demo", "csrf_token": token.group(1)}
    assert client.post("/desk/login", data=login).status_code == 303
    client.headers["X-CSRF-Token"] = client.get("/desk/api/me").json()["csrf_token"]
    return client


def served_by(cluster: Cluster, path: str, since: int) -> list[str]:
    """Which Rasa replicas HAProxy sent `POST <path>` to, in log lines from `since` on."""
    return [
        line.split()[0].split("/")[1]
        for line in cluster.access_log()[since:]
        if line.split()[0].startswith("rasa/") and f"POST {path} " in line
    ]


def test_agent_reply_reaches_a_widget_on_the_other_rasa_process(cluster: Cluster) -> None:
    session = f"widget-{uuid.uuid4().hex[:10]}"
    widget = Widget(cluster.replica_url("rasa-2"), session)  # the customer's socket is on rasa-2
    desk = desk_login(cluster.web_url)
    try:
        widget.send("I want to talk to a person")
        widget.bot_texts(lambda text: "queue" in text or "next in line" in text)
        ticket = httpx.get(
            f"{cluster.web_url}/api/v1/handoffs/by-conversation/{session}",
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        ).json()["ticket_id"]
        assert desk.post(f"/desk/api/tickets/{ticket}/claim").status_code == 200

        # The desk page may stream from either back end: both must see the customer's message,
        # which reached one of them through RabbitMQ.
        streams = [
            Stream(cluster.replica_url(name), desk.cookies) for name in ("backend-1", "backend-2")
        ]
        widget.send("is anybody there?")
        for stream in streams:
            assert stream.wait_for_message("is anybody there?")["ticket_id"] == ticket

        # Agent replies until HAProxy has sent one through rasa-1; every one must reach the widget.
        path = f"/conversations/{session}/tracker/events"
        for attempt in range(6):
            since = len(cluster.access_log())
            text = f"Hello, I'm looking at your account ({attempt})."
            sent = desk.post(f"/desk/api/tickets/{ticket}/messages", json={"text": text})
            assert sent.status_code == 201, sent.text
            widget.bot_texts(lambda got, text=text: got == AGENT_PREFIX + text)
            wait_for(lambda since=since: bool(served_by(cluster, path, since)), "the log", 10)
            if served_by(cluster, path, since) == ["rasa-1"]:
                break
        else:
            raise AssertionError("HAProxy never sent an agent reply through rasa-1")
    finally:
        widget.close()
        desk.close()


def test_one_replica_of_each_part_killed_mid_conversation_loses_no_message(
    cluster: Cluster,
) -> None:
    customer = Customer(cluster.rasa_url)
    customer.verify_as_ana()
    for part in ("rasa", "actions", "backend"):
        victim = cluster.pid(f"{part}-1")
        os.killpg(victim, signal.SIGKILL)
        # As soon as it is gone, before HAProxy's health check notices: the refused connection
        # is retried on the other replica. (A request already inside the dying process gets a
        # 502 and is not sent again: it may have been handled.)
        wait_for(lambda victim=victim: cluster.exited(victim), f"{part}-1's exit", 30)
        replies = customer.say("what's my balance?")
        assert replies[0].startswith(BALANCE), (part, replies)
    customer.assert_nothing_lost()
    killed = {"rasa-1", "actions-1", "backend-1"}
    exits = [e for e in cluster.events() if e["event"] == "process.exited"]
    assert {e["service"]: e["signal"] for e in exits if e["service"] in killed} == dict.fromkeys(
        killed, "SIGKILL"
    ), exits

    def restarted() -> set[str]:
        return {
            e["service"]
            for e in cluster.events()
            if e["event"] == "process.started" and e["restarts"] > 0
        }

    # The supervisor starts each again after its backoff; the last one killed may not be back
    # yet when the customer's last answer arrives (the other replica served it), so wait for it.
    wait_for(lambda: killed <= restarted(), "the supervisor's restarts", 60)
