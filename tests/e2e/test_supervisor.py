"""`make run`'s supervisor (scripts/run_all.py) with small stand-in processes: seconds, not minutes.

A process that dies is restarted with growing delays while the others keep running, one over its
memory ceiling is killed and restarted, and SIGTERM or Ctrl-C (SIGINT) to the supervisor stops all.
The same supervisor with the real product is in test_faults.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.run_all import Backoff

ROOT = Path(__file__).resolve().parents[2]

# Runs scripts/run_all.py with its services() replaced by stand-ins: "steady" sleeps, "victim"
# sleeps (the test kills it), "hog" grows to about 200 MB a second after it starts.
LAUNCHER = textwrap.dedent(
    """
    import sys
    from scripts import run_all
    py = sys.executable
    sleeper = [py, "-c", "import time; time.sleep(600)"]
    hog = [py, "-c", "import time; time.sleep(1); b = bytearray(200 * 2**20); time.sleep(600)"]
    run_all.services = lambda env: [
        run_all.Service("steady", sleeper),
        run_all.Service("victim", sleeper),
        run_all.Service("hog", hog),
    ]
    sys.exit(run_all.main())
    """
)


class Supervised:
    def __init__(self, log_path: Path) -> None:
        env = {**os.environ, "HOG_MAX_RSS_MB": "100", "STEADY_MAX_RSS_MB": "0"}
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.popen = subprocess.Popen(  # noqa: S603 - our own launcher
                [sys.executable, "-c", LAUNCHER], cwd=ROOT, env=env, stdout=log, stderr=log
            )

    def events(self) -> list[dict[str, object]]:
        lines = self.log_path.read_text().splitlines()
        return [
            json.loads(line.split(" | ", 1)[1])
            for line in lines
            if line.startswith("supervisor | ")
        ]

    def wait_for(self, predicate: object, timeout_s: float = 20) -> list[dict[str, object]]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            events = self.events()
            if callable(predicate) and predicate(events):
                return events
            time.sleep(0.1)
        raise AssertionError(f"not seen in time; supervisor log:\n{self.log_path.read_text()}")


def pids(events: list[dict[str, object]], service: str) -> list[object]:
    return [e["pid"] for e in events if e["event"] == "process.started" and e["service"] == service]


def alive(pid: object) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Supervised]:
    running = Supervised(tmp_path / "run_all.log")
    yield running
    if running.popen.poll() is None:
        running.popen.send_signal(signal.SIGTERM)
        running.popen.wait(timeout=30)


def test_backoff_doubles_to_the_cap_and_resets_after_a_stable_minute() -> None:
    backoff = Backoff()
    assert [backoff.next_delay(1) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.next_delay(61) == 1


def test_a_killed_process_is_restarted_and_the_others_keep_running(supervised: Supervised) -> None:
    events = supervised.wait_for(lambda ev: len(pids(ev, "victim")) == 1)
    steady, victim = pids(events, "steady")[0], pids(events, "victim")[0]
    os.kill(int(str(victim)), signal.SIGKILL)
    events = supervised.wait_for(lambda ev: len(pids(ev, "victim")) == 2)
    (exited,) = [e for e in events if e["event"] == "process.exited" and e["service"] == "victim"]
    assert (exited["signal"], exited["restart_in_s"]) == ("SIGKILL", 1.0)
    new_victim = pids(events, "victim")[1]
    assert alive(new_victim)
    os.kill(int(str(new_victim)), signal.SIGKILL)  # dies again at once: the delay doubles
    events = supervised.wait_for(lambda ev: len(pids(ev, "victim")) == 3)
    delays = [
        e["restart_in_s"]
        for e in events
        if e["event"] == "process.exited" and e["service"] == "victim"
    ]
    assert delays == [1.0, 2.0]
    assert pids(events, "steady") == [steady]
    assert alive(steady)


def test_a_process_over_its_memory_ceiling_is_killed_and_restarted(supervised: Supervised) -> None:
    events = supervised.wait_for(lambda ev: len(pids(ev, "hog")) >= 2)
    (exceeded, *_) = [e for e in events if e["event"] == "process.memory_exceeded"]
    assert exceeded["service"] == "hog"
    assert int(str(exceeded["rss_mb"])) > 100
    assert exceeded["max_rss_mb"] == 100
    assert len(pids(events, "steady")) == 1


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_stops_everything(supervised: Supervised, sig: signal.Signals) -> None:
    events = supervised.wait_for(lambda ev: len(pids(ev, "hog")) == 1)
    children = [*pids(events, "steady"), *pids(events, "victim")]
    supervised.popen.send_signal(sig)
    assert supervised.popen.wait(timeout=30) == 0
    assert supervised.events()[-1]["event"] == "supervisor.stopped"
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in children)
