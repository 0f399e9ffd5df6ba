"""One writer at a time on SQLite, queued by the kernel instead of by sleeping.

SQLite allows one write transaction; a second writer that finds the database locked sleeps in
its busy handler (1, 2, 5, 10 ... 100 ms) and tries again. Under a surge of signatures, with
several gunicorn processes and threads, those sleeps dominate: in bench/ they made p50 above
400 ms at under 100 signatures/s. Here each connection takes an exclusive `flock` on a lock
file beside the database before its first write statement and drops it at commit or rollback;
waiting writers retry every 0.2-2 ms instead of SQLite's 1-100 ms. Reads (WAL) never take it.

The WAL is checkpointed after the lock is dropped (`CHECKPOINT_EVERY_COMMITS`): SQLite's own
automatic checkpoint runs inside the COMMIT that crosses its threshold, so it held the lock
(a few milliseconds of copying and two fsyncs, every ~150 confirmations) and every writer
waited for it; a PASSIVE checkpoint needs no write lock, so writers go on meanwhile. SQLite's
own stays as the backstop after a large transaction (at 4000 pages, not 1000).

Only the embedded SQLite setup uses this; PostgreSQL has row locks. Without fcntl (Windows)
it does nothing and SQLite's own busy timeout applies.
"""
from __future__ import annotations

import itertools
import os
import sqlite3
import time
from collections.abc import Iterable
from contextlib import suppress
from typing import Any, Self, cast

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]  # the optional-import idiom: no fcntl on Windows

LOCK_WAIT_SECONDS = 10
# Write transactions of this process between its checkpoints (~128 x 7 pages of
# confirmations, about SQLite's default 1000). Not fewer: the first write after a checkpoint
# restarts the WAL and syncs its new header, inside that writer's lock, once per cycle.
# Counted per process, not per connection: a pool hands its connections out in turn, and
# per-connection counts would come due together.
CHECKPOINT_EVERY_COMMITS = 128
_write_commits = itertools.count(1)
# SQLite's own automatic checkpoint, kept above what the periodic one lets the WAL reach.
AUTOCHECKPOINT_PAGES = 4000
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _is_write(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(_WRITES)


class WriteLockCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        if _is_write(sql):
            cast(WriteLockConnection, self.connection).acquire_write_lock()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> Self:
        if _is_write(sql):
            cast(WriteLockConnection, self.connection).acquire_write_lock()
        return super().executemany(sql, seq_of_parameters)


class WriteLockConnection(sqlite3.Connection):
    """sqlite3.connect(path, factory=WriteLockConnection)."""

    def __init__(self, database: str | os.PathLike[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._lock_fd: int | None = None
        self._locked = False
        path = os.fspath(database)
        if fcntl is not None and path not in ("", ":memory:") and not path.startswith("file:"):
            self._lock_fd = os.open(path + "-writelock", os.O_RDWR | os.O_CREAT, 0o600)
            # SQLite's own checkpoint as the backstop only (after a large transaction).
            super().execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}").close()

    def cursor(self, factory: Any = WriteLockCursor) -> Any:  # the base is overloaded on factory
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> Any:
        return self.cursor().executemany(sql, seq_of_parameters)

    def acquire_write_lock(self) -> None:
        """Wait for the lock in sub-millisecond steps; after LOCK_WAIT_SECONDS (a transaction
        left open somewhere) go on without it and let SQLite's busy timeout decide."""
        if self._lock_fd is None or self._locked:
            return
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        pause = 0.0002
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
            else:
                self._locked = True
                return

    def _release(self) -> None:
        if self._locked:
            self._locked = False
            assert self._lock_fd is not None
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        wrote = self._locked
        try:
            super().commit()
        finally:
            self._release()
        if wrote and next(_write_commits) % CHECKPOINT_EVERY_COMMITS == 0:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the WAL's committed pages into the database, the write lock not held (a
        PASSIVE checkpoint neither waits for nor blocks writers). Outside a transaction: it
        runs right after a commit. A failure leaves it to the next one or SQLite's own."""
        with suppress(sqlite3.Error):
            super().execute("PRAGMA wal_checkpoint(PASSIVE)").close()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
