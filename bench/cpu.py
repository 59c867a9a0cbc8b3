"""Who used the CPU during a measurement: the server and wrk, or other processes.

On a shared 2-core machine (other test runs, a browser) every figure can halve without the code
changing. Each load run therefore records the share of the machine's CPU that processes other
than gunicorn, wrk and the benchmark itself used, and the report flags runs where it was large.
Linux only (/proc); elsewhere the figures are None.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the whole machine since boot, all cores."""
    try:
        fields = [int(x) for x in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def _process_ticks(group: int | None) -> tuple[dict[int, int], dict[int, int]]:
    """CPU ticks of each live process of one process group (gunicorn and its workers), and of
    each PostgreSQL server process (part of the system under test on PostgreSQL), by pid."""
    used: dict[int, int] = {}
    postgres: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # The command name may hold spaces and parentheses: fields start after the last ")".
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        fields = rest.split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        if group and int(fields[2]) == group:  # pgrp
            used[int(entry.name)] = ticks
        elif name == "postgres":
            postgres[int(entry.name)] = ticks
    return used, postgres


def _grown(before: dict[int, int], after: dict[int, int]) -> int:
    """Ticks used between two samples by the processes alive at the second. A process that ended
    in between (a PostgreSQL connection closed after CONN_MAX_AGE) is lost, not subtracted: its
    last moments then count as another process's, a small error on the safe side."""
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items())


def _own_seconds() -> float:
    """CPU seconds of this process and of its children already waited for (each wrk run)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class Sample:
    machine: tuple[int, int] | None
    group: dict[int, int]
    postgres: dict[int, int]
    own: float


def sample(group: int | None) -> Sample:
    used, postgres = _process_ticks(group)
    return Sample(_machine_ticks(), used, postgres, _own_seconds())


def others_share(before: Sample, after: Sample, *, postgres_is_ours: bool) -> float | None:
    """Share (0–1) of the machine's CPU capacity used by other processes between two samples.
    PostgreSQL's processes count as ours when the server under test uses it."""
    if before.machine is None or after.machine is None:
        return None
    busy = after.machine[0] - before.machine[0]
    total = after.machine[1] - before.machine[1]
    if total <= 0:
        return None
    ours = _grown(before.group, after.group) + (after.own - before.own) * TICK
    if postgres_is_ours:
        ours += _grown(before.postgres, after.postgres)
    return round(max(0.0, (busy - ours) / total), 3)


def busy_share(seconds: float = 1.0) -> float | None:
    """Share of the machine's CPU in use over `seconds`, by anyone."""
    before = _machine_ticks()
    time.sleep(seconds)
    after = _machine_ticks()
    if before is None or after is None or after[1] <= before[1]:
        return None
    return round((after[0] - before[0]) / (after[1] - before[1]), 3)


def wait_for_quiet(limit: float = 0.25, timeout: float = 20) -> float | None:
    """Wait, at most `timeout` seconds, until less than `limit` of the CPU is in use; the last
    share measured. Measuring while another test run is busy would measure that run."""
    deadline = time.monotonic() + timeout
    share = busy_share()
    while share is not None and share > limit and time.monotonic() < deadline:
        share = busy_share(2)
    return share
