"""Bulk rows for the benchmarks: a million signatures in seconds, not hours.

PostgreSQL gets COPY; SQLite gets one executemany per batch in one transaction. Rows bypass
the sign/confirm rules on purpose (they are synthetic), but the counter stays exact: seeded
confirmed signatures are added to it (lifecycle.add_to_count) in the same transaction.
"""
from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..util import utcnow
from . import lifecycle, search
from .models import SignatureStatus

SIGNATURE_COLUMNS = ("campaign_id", "full_name", "email", "email_key", "country", "locale",
                     "display", "status", "source", "created_at", "confirmed_at",
                     "comment_hidden", "updates_opt_in")
_COUNTRIES = ("KZ", "KG", "RU", "DE", "FR", "US", "GB", "CN", "TR", "UZ")


def _signature_rows(campaign_id: int, count: int, status: str, tag: str
                    ) -> Iterator[tuple[Any, ...]]:
    now = utcnow()
    for i in range(count):
        email = f"seed-{tag}-{i}@bench.example.org"
        when = now - timedelta(seconds=count - i)
        yield (campaign_id, f"Seeded Signer {i}", email, email, _COUNTRIES[i % 10], "en",
               ("full", "initial", "anonymous")[i % 3], status, "web", when,
               when if status == SignatureStatus.CONFIRMED else None, False, i % 4 == 0)


def _sqlite_time(value: datetime | None) -> str | None:
    # The text form SQLAlchemy's SQLite DateTime type writes and reads back.
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def seed_signatures(campaign_id: int, count: int, *, status: str = SignatureStatus.CONFIRMED.value,
                    batch: int = 20_000) -> str:
    """Insert `count` signatures; returns the tag in their addresses. Commits."""
    # Letters only: a digit in the tag would make a search for "17" match every seeded
    # address, not just signer 17's.
    tag = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    rows = _signature_rows(campaign_id, count, status, tag)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        raw: Any = connection.connection.driver_connection  # the DB-API driver: untyped
        with raw.cursor() as cursor, cursor.copy(
                f"COPY signatures ({', '.join(SIGNATURE_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        # The DB-API's executemany on plain tuples: several times faster than ORM dicts.
        raw = connection.connection.driver_connection
        # A big page cache: index pages stay in memory instead of spilling mid-transaction.
        raw.execute("PRAGMA cache_size=-262144")
        sql = (f"INSERT INTO signatures ({', '.join(SIGNATURE_COLUMNS)}) "
               f"VALUES ({', '.join('?' * len(SIGNATURE_COLUMNS))})")
        raw.executemany(sql, (row[:9] + (_sqlite_time(row[9]), _sqlite_time(row[10]))
                              + row[11:] for row in rows))
    if status == SignatureStatus.CONFIRMED:
        lifecycle.add_to_count(campaign_id, count)
    db.session.commit()
    if connection.dialect.name == "postgresql":
        # Settled as a table that grew to this size over days would be: vacuumed (hint bits
        # and visibility map set, fresh statistics, so the planner picks the index for keyset
        # pages) and checkpointed. Without it, the next minutes of a benchmark share the cores
        # and the disk with autovacuum and the checkpoint of a million-row COPY.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as settle:
            settle.execute(text("VACUUM (ANALYZE) signatures"))
            # CHECKPOINT needs pg_checkpoint (or superuser); the vacuum is the bigger part.
            with suppress(DBAPIError):
                settle.execute(text("CHECKPOINT"))
    else:
        # Indexed for the console's search as the outbox worker would have done over days
        # (search.py), so a benchmark's first search does not pay for the seed.
        search.catch_up_all()
        # Settled the same way: a million rows written at once sit in the write-ahead log
        # until a checkpoint copies them into the database file; a site that grew over days
        # had them copied by SQLite's automatic checkpoints long ago. TRUNCATE also empties
        # the log, so the next minutes neither copy them nor look pages up in a huge log.
        with db.engine.connect() as settle:
            settle.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return tag
