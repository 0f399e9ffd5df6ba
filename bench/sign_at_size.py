#!/usr/bin/env python3
"""The sign path (valid POSTs through the app, CSRF real) against databases of different
sizes, e.g. few vs 1,000,000 signatures, in batches taking turns so that every database
sees the same machine load (issue 18: what the sign costs at 1M, not what the host did).

    .venv/bin/python bench/sign_at_size.py few=sqlite:////abs/few.db \
        1m=sqlite:////abs/1m.db [--batches 10] [--batch 50] [--processes 3]

Each LABEL=URL is a migrated database with the demo data (docs/bench.md: how to make them).
One process (default), per sign, median of batches: wall, CPU (`process_time`; on SQLite
that includes SQLite's own work), on SQLite the time the write lock is held (first write
statement to commit, checkpoints included) and the bytes the process read and wrote
(/proc/self/io: WAL, checkpoints, page reads), on PostgreSQL the server process's CPU
(/proc/<backend pid>/stat: same host). --processes N: N processes per database sign at once
(as gunicorn's workers): signs/s, CPU and lock hold per sign, with the lock contention and
the checkpoints of several writers.
"""
from __future__ import annotations

import sys
from pathlib import Path

# bench/profile.py would shadow the standard library's `profile`.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

SLUG = "korday-sentences-review"
_held: list[float] = []


def _time_write_lock() -> None:
    """Record how long each SQLite connection holds the write lock."""
    from campaign import sqlite_writelock as wl
    acquire, release = wl.WriteLockConnection.acquire_write_lock, wl.WriteLockConnection._release
    started: dict[int, float] = {}

    def timed_acquire(self: Any) -> None:
        was_locked = self._locked
        acquire(self)
        if self._locked and not was_locked:
            started[id(self)] = time.perf_counter()

    def timed_release(self: Any) -> None:
        if self._locked and id(self) in started:
            _held.append(time.perf_counter() - started.pop(id(self)))
        release(self)

    wl.WriteLockConnection.acquire_write_lock = timed_acquire  # type: ignore[method-assign]
    wl.WriteLockConnection._release = timed_release  # type: ignore[method-assign]


def _io() -> dict[str, int]:
    with open("/proc/self/io") as f:
        return {k: int(v) for k, v in (line.split(": ") for line in f)}


def _backend_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) the PostgreSQL server processes `pids` have used."""
    ticks = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _signer(label: str, url: str) -> tuple[Callable[[], None], Callable[[], list[int]]]:
    from campaign import create_app
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    instance = Path(tempfile.mkdtemp(prefix="sign-at-size-"))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + secrets.token_hex(8),
        "RATELIMIT_ENABLED": False, "ABUSE_MIN_FILL_SECONDS": 0, "OUTBOX_INLINE": False,
        "MAIL_TRANSPORT": "memory", "SITE_URL": "http://campaign.test",
    }, instance_path=str(instance))
    client = app.test_client()
    page = client.get(f"/en/c/{SLUG}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form_started = re.search(r'name="form_started"[^>]*value="([^"]+)"', page)
    assert token, page[:300]
    assert form_started, page[:300]
    tag = secrets.token_hex(3)
    counter = iter(range(10**9))

    def post() -> None:
        i = next(counter)
        response = client.post(f"/en/c/{SLUG}/sign", data={
            "csrf_token": token.group(1), "full_name": f"Signer {tag} {i}",
            "email": f"{secrets.token_hex(6)}-{i}@example.org", "country": "KZ",
            "display": "full", "form_started": form_started.group(1)})
        assert response.status_code == 303, (label, response.status_code)

    def backends() -> list[int]:
        """The server processes of the app's pooled connections (PostgreSQL, same host)."""
        from sqlalchemy import text

        from campaign.extensions import db
        if not url.startswith("postgresql"):
            return []
        with app.app_context():
            # The test client signs on one pooled connection: its backend is the server side.
            return [db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()]
    return post, backends


def _worker(label: str, url: str, conn: Any) -> None:
    """A process signing in batches on command (as one gunicorn worker): answers each
    batch size with (CPU seconds, write lock held seconds)."""
    post, _ = _signer(label, url)
    for _ in range(10):
        post()
    conn.send("ready")
    while (batch := conn.recv()) is not None:
        _held.clear()
        cpu = time.process_time()
        for _ in range(batch):
            post()
        conn.send((time.process_time() - cpu, sum(_held)))


def concurrent(args: argparse.Namespace) -> None:
    """--processes N: N processes per database sign at once, the arms taking turns; the
    throughput shows lock contention and checkpoints that one process does not meet."""
    import multiprocessing
    context = multiprocessing.get_context("fork")
    groups: dict[str, list[Any]] = {}
    for label, url in (spec.split("=", 1) for spec in args.databases):
        groups[label] = []
        for _ in range(args.processes):
            ours, theirs = context.Pipe()
            context.Process(target=_worker, args=(label, url, theirs), daemon=True).start()
            groups[label].append(ours)
    for pipes in groups.values():
        for pipe in pipes:
            assert pipe.recv() == "ready"
    rows = {name: {"rate": [], "cpu": [], "held": []} for name in groups}
    for _ in range(args.batches):
        for name, pipes in groups.items():
            wall = time.perf_counter()
            for pipe in pipes:
                pipe.send(args.batch)
            answers = [pipe.recv() for pipe in pipes]
            signs = args.batch * len(pipes)
            rows[name]["rate"].append(signs / (time.perf_counter() - wall))
            rows[name]["cpu"].append(sum(a[0] for a in answers) * 1000 / signs)
            rows[name]["held"].append(sum(a[1] for a in answers) * 1000 / signs)
    for pipes in groups.values():
        for pipe in pipes:
            pipe.send(None)
    for name, row in rows.items():
        print(f"{name:<10} {args.processes} processes, median: "
              f"{statistics.median(row['rate']):5.0f} signs/s, "
              f"CPU {statistics.median(row['cpu']):5.2f} ms/sign, write lock held "
              f"{statistics.median(row['held']):5.2f} ms/sign")
        print(f"{'':<10} signs/s of batches: {' '.join(f'{v:.0f}' for v in row['rate'])}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("databases", nargs="+", metavar="LABEL=URL")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--processes", type=int, default=1,
                        help="more than 1: that many signing processes per database at once")
    args = parser.parse_args()
    _time_write_lock()
    if args.processes > 1:
        concurrent(args)
        return
    signers = {label: _signer(label, url) for label, url in
               (spec.split("=", 1) for spec in args.databases)}
    arms = {name: call for name, (call, _) in signers.items()}
    for call in arms.values():  # warm up: statement caches, snapshot, connection
        for _ in range(10):
            call()
    pids = {name: backends() for name, (_, backends) in signers.items()}
    rows: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "cpu": [], "held": [], "read": [], "write": [], "server": []}
        for name in arms}
    for _ in range(args.batches):
        for name, call in arms.items():
            _held.clear()
            io, server = _io(), _backend_cpu(pids[name])
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.batch):
                call()
            row, after = rows[name], _io()
            row["server"].append((_backend_cpu(pids[name]) - server) * 1000 / args.batch)
            row["cpu"].append((time.process_time() - cpu) * 1000 / args.batch)
            row["wall"].append((time.perf_counter() - wall) * 1000 / args.batch)
            row["held"].append(sum(_held) * 1000 / args.batch)
            row["read"].append((after["read_bytes"] - io["read_bytes"]) / 1024 / args.batch)
            row["write"].append((after["write_bytes"] - io["write_bytes"]) / 1024 / args.batch)
    for name, row in rows.items():
        print(f"{name:<10} median per sign: wall {statistics.median(row['wall']):6.2f} ms, "
              f"CPU {statistics.median(row['cpu']):6.2f} ms, write lock held "
              f"{statistics.median(row['held']):6.2f} ms, disk read "
              f"{statistics.median(row['read']):6.1f} KiB, written "
              f"{statistics.median(row['write']):6.1f} KiB"
              + (f", PostgreSQL server CPU {statistics.median(row['server']):5.2f} ms"
                 if pids[name] else ""))
        print(f"{'':<10} wall of batches: {' '.join(f'{v:.1f}' for v in row['wall'])}")


if __name__ == "__main__":
    main()
