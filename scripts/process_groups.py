"""What Linux /proc says about whole process groups: a service started in its own session (a
ManagedProcess, a supervisor's child) with everything it forked, such as Rasa's Sanic workers.

    usage = group_usage({pgid_a, pgid_b})
    usage[pgid_a].rss_mb, usage[pgid_a].cpu_seconds

The one reader for the supervisor's memory ceilings (run_all.py) and the bench's memory and CPU
figures (bench_processes.py, bench_cluster.py). One pass over /proc/<pid>/stat (proc(5)): field
5 is the process group, 14-17 the user and system time of the process and of its waited-for
children (clock ticks), 24 the resident set (pages). A process that ends meanwhile is skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

_PAGE_BYTES: Final = os.sysconf("SC_PAGE_SIZE")
_TICKS: Final = os.sysconf("SC_CLK_TCK")
# Indexes into the fields after the command name's closing parenthesis (which is field 2).
_PGRP, _UTIME, _CSTIME, _RSS = 2, 11, 14, 21


@dataclass
class GroupUsage:
    rss_mb: float = 0.0  # resident memory of every process in the group now
    cpu_seconds: float = 0.0  # user + system time so far, waited-for children included


def group_usage(pgids: set[int]) -> dict[int, GroupUsage]:
    """Memory and CPU time of each process group asked for (a group with no process: zeros)."""
    usage = {pgid: GroupUsage() for pgid in pgids}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            group = usage.get(int(fields[_PGRP]))
            if group is None:
                continue
            group.rss_mb += int(fields[_RSS]) * _PAGE_BYTES / 2**20
            group.cpu_seconds += sum(int(v) for v in fields[_UTIME : _CSTIME + 1]) / _TICKS
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return usage
