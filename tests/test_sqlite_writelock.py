"""SQLite writers queue on a file lock instead of sleeping in SQLite's busy handler."""
import sqlite3
import threading
import time

from campaign.sqlite_writelock import WriteLockConnection


def test_second_writer_waits_for_the_first_and_both_commit(tmp_path):
    path = str(tmp_path / "db.sqlite")
    first = sqlite3.connect(path, factory=WriteLockConnection, check_same_thread=False)
    first.execute("CREATE TABLE t (n INTEGER)")
    first.commit()
    second = sqlite3.connect(path, factory=WriteLockConnection, check_same_thread=False,
                             timeout=0)  # no SQLite busy wait: only the file lock can queue it
    first.execute("INSERT INTO t VALUES (1)")  # holds the lock until commit
    done = threading.Event()

    def write():
        second.execute("INSERT INTO t VALUES (2)")
        second.commit()
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.1)
    assert not done.is_set()  # waiting for the lock, not failing with "database is locked"
    first.commit()
    thread.join(5)
    assert done.is_set()
    assert sorted(n for (n,) in first.execute("SELECT n FROM t")) == [1, 2]


def test_reads_do_not_take_the_lock(tmp_path):
    path = str(tmp_path / "db.sqlite")
    writer = sqlite3.connect(path, factory=WriteLockConnection)
    writer.execute("CREATE TABLE t (n INTEGER)")
    writer.commit()
    writer.execute("INSERT INTO t VALUES (1)")
    reader = sqlite3.connect(path, factory=WriteLockConnection, timeout=0)
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (0,)
    writer.rollback()


def test_the_wal_is_checkpointed_after_the_lock_is_dropped(tmp_path, monkeypatch):
    """SQLite's own checkpoint runs inside the COMMIT, so it held the lock (and every writer
    waited for its copying and fsyncs); the process's periodic one runs once it is free."""
    from campaign import sqlite_writelock

    path = str(tmp_path / "db.sqlite")
    writer = sqlite3.connect(path, factory=WriteLockConnection)
    writer.execute("PRAGMA journal_mode=WAL")
    assert writer.execute("PRAGMA wal_autocheckpoint").fetchone() == (
        sqlite_writelock.AUTOCHECKPOINT_PAGES,)
    writer.execute("CREATE TABLE t (n INTEGER)")
    writer.commit()
    other = sqlite3.connect(path, factory=WriteLockConnection)
    seen = []
    checkpoint = WriteLockConnection._checkpoint

    def watched(self):
        other.acquire_write_lock()  # free: taken at once
        seen.append(other._locked)
        other._release()
        checkpoint(self)
        seen.append(self.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())

    monkeypatch.setattr(WriteLockConnection, "_checkpoint", watched)
    monkeypatch.setattr(sqlite_writelock, "LOCK_WAIT_SECONDS", 0)
    for n in range(sqlite_writelock.CHECKPOINT_EVERY_COMMITS):
        writer.execute("INSERT INTO t VALUES (?)", (n,))
        writer.commit()
    assert seen[0] is True
    busy, frames, copied = seen[1]
    assert busy == 0 and frames == copied  # everything committed is in the database file
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (
        sqlite_writelock.CHECKPOINT_EVERY_COMMITS,)
