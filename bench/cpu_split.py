"""Where the machine's CPU went during a wrk run, per request (bench/run.py).

A rate on 2 shared cores says how fast, not what bounds it: the site's Python, the database
server, the load generator and the kernel all take turns on the same cores. Reading /proc
before and after a run splits the busy CPU time between them: the gunicorn processes serving
the port, the database server's processes (PostgreSQL; SQLite works inside the app), wrk
itself (this process's finished children) and the rest (the SMTP sink, the outbox worker,
interrupts and other kernel work, anything else on the machine). Linux only; elsewhere the
split is empty and the report leaves it out.
"""
from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
GROUPS = ("app", "database", "wrk", "rest")


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds used so far by each group, and by the whole machine (busy, not idle)."""

    app: float
    database: float
    wrk: float
    machine: float


def _process_cpu_s(pid: str) -> float:
    # /proc/<pid>/stat: the command name (field 2) may hold spaces; utime and stime are
    # the 12th and 13th fields after its closing parenthesis.
    fields = (PROC / pid / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def _machine_busy_s() -> float:
    # user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    values = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICKS_PER_S


def snapshot(port: int) -> Snapshot | None:
    """The groups' CPU so far; `port`: the one the gunicorn under test listens on."""
    if not (PROC / "stat").exists():
        return None
    bind = f"127.0.0.1:{port}".encode()
    app = database = 0.0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            if b"gunicorn" in cmdline and bind in cmdline:
                app += _process_cpu_s(entry.name)  # the master and its forked workers
            elif (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                database += _process_cpu_s(entry.name)
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Snapshot(app, database, children.ru_utime + children.ru_stime, _machine_busy_s())


def per_request_ms(before: Snapshot | None, after: Snapshot | None,
                   requests: int) -> dict[str, float] | None:
    """Each group's CPU milliseconds per request between two snapshots; `rest` is the
    machine's busy time that none of the named groups used (never below zero: the groups'
    and the machine's clocks tick apart)."""
    if before is None or after is None or requests <= 0:
        return None
    split = {"app": after.app - before.app, "database": after.database - before.database,
             "wrk": after.wrk - before.wrk}
    machine = after.machine - before.machine
    split["rest"] = max(0.0, machine - sum(split.values()))
    split["total"] = max(machine, sum(split.values()))
    return {name: seconds * 1000 / requests for name, seconds in split.items()}
