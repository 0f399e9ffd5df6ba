"""Backups of the embedded SQLite database with SQLite's online backup API.

The copy is one consistent snapshot: in WAL mode the backup reads as one transaction while
people go on signing (writers are not blocked; they land in the WAL after the snapshot). It is
written to a temporary file, checked with `PRAGMA integrity_check`, then renamed into place,
so a half-written backup never carries the final name. PostgreSQL is backed up with pg_dump
(docs/operations.md); this module refuses it rather than pretend.
"""
from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def sqlite_path(database_uri: str) -> Path:
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError("flask backup copies the embedded SQLite database; back up "
                          "PostgreSQL with pg_dump (see docs/operations.md).")
    return Path(url.database)


def default_target(instance_path: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(instance_path) / "backups" / f"campaign-{stamp}.db"


def backup_sqlite(source: Path, target: Path) -> Path:
    """Copy `source` into `target` (a new file) as one consistent snapshot."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # The copy holds personal data: only the owner may read it.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        # pages=-1: the whole database in one step, i.e. one read transaction. Copying in
        # steps would restart whenever another connection writes, which under load is always.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {verdict}")
    partial.rename(target)
    return target
