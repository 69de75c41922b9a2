"""scripts/process_groups.py against real processes: a group's memory and CPU time include its
children's, other groups are not counted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from scripts.process_groups import group_usage
from scripts.run_all import group_rss_mb

# A parent holding 60 MB that forks a child holding 60 MB and burning CPU; the child says when
# it is done, then both wait.
FAMILY = """
import os, sys, time
ballast = bytearray(60 * 2**20)
for i in range(0, len(ballast), 4096): ballast[i] = 1
if os.fork() == 0:
    more = bytearray(60 * 2**20)
    for i in range(0, len(more), 4096): more[i] = 1
    end = time.process_time() + 0.5
    while time.process_time() < end: pass
    print("ready", flush=True)
time.sleep(60)
"""


def test_a_group_counts_the_memory_and_cpu_of_its_children() -> None:
    family = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", FAMILY], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert family.stdout is not None
        assert family.stdout.readline() == "ready\n"  # the child, after its work
        time.sleep(0.1)
        pgid, elsewhere = family.pid, os.getpgid(0)
        usage = group_usage({pgid, elsewhere, 2**22 + 1})

        assert usage[pgid].rss_mb > 120  # both processes' ballast
        assert usage[pgid].cpu_seconds >= 0.45  # the child's busy half second
        assert usage[2**22 + 1].rss_mb == usage[2**22 + 1].cpu_seconds == 0  # no such group
        assert usage[elsewhere].rss_mb > 0  # this test's own group, counted apart
        assert abs(group_rss_mb({pgid})[pgid] - usage[pgid].rss_mb) < 5  # the supervisor's view
    finally:
        os.killpg(family.pid, signal.SIGKILL)
        family.wait()
        if family.stdout is not None:
            family.stdout.close()
