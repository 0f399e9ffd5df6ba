"""Bulk rows for the benchmarks: a million signatures in seconds, not hours.

PostgreSQL gets COPY; SQLite gets one executemany per batch in one transaction. Rows bypass
the sign/confirm rules on purpose (they are synthetic), but the counter stays exact: seeded
confirmed signatures are added to it in the same transaction.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import insert, select, text, update

from ..campaigns.models import SignatureCounter
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..petitions.models import Signature
from ..petitions.service import signature_token
from ..util import utcnow

SIGNATURE_COLUMNS = ("campaign_id", "full_name", "email", "email_key", "country", "locale",
                     "display", "status", "source", "created_at", "confirmed_at",
                     "comment_hidden", "updates_opt_in")
_COUNTRIES = ("KZ", "KG", "RU", "DE", "FR", "US", "GB", "CN", "TR", "UZ")


def _signature_rows(campaign_id: int, count: int, status: str, tag: str):
    now = utcnow()
    for i in range(count):
        email = f"seed-{tag}-{i}@bench.example.org"
        when = now - timedelta(seconds=count - i)
        yield (campaign_id, f"Seeded Signer {i}", email, email, _COUNTRIES[i % 10], "en",
               ("full", "initial", "anonymous")[i % 3], status, "web", when,
               when if status == "confirmed" else None, False, i % 4 == 0)


def _sqlite_time(value):
    # The text form SQLAlchemy's SQLite DateTime type writes and reads back.
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def seed_signatures(campaign_id: int, count: int, *, status: str = "confirmed",
                    batch: int = 20_000) -> str:
    """Insert `count` signatures; returns the tag in their addresses. Commits."""
    tag = secrets.token_hex(4)
    rows = _signature_rows(campaign_id, count, status, tag)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
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
    if status == "confirmed":
        db.session.execute(
            update(SignatureCounter)
            .where(SignatureCounter.campaign_id == campaign_id, SignatureCounter.slot == 0)
            .values(count=SignatureCounter.count + count))
    db.session.commit()
    if connection.dialect.name == "postgresql":
        # Fresh statistics, as autovacuum would soon give them: the planner then picks the
        # index for keyset pages instead of guessing from an empty table's numbers.
        db.session.execute(text("ANALYZE signatures"))
        db.session.commit()
    return tag


def confirm_tokens(campaign_id: int, tag: str):
    """Confirmation links' tokens of the signatures seeded under `tag`."""
    result = db.session.execute(
        select(Signature.id, Signature.email_key)
        .where(Signature.campaign_id == campaign_id,
               Signature.email_key.like(f"seed-{tag}-%"))
        .order_by(Signature.id).execution_options(yield_per=10_000))
    for signature_id, email_key in result:
        yield signature_token("confirm", Signature(id=signature_id, email_key=email_key))


def seed_outbox(count: int, *, body_text: str, body_html: str, subject: str,
                kind: str = "bench", priority: int = 0) -> str:
    """Queue `count` messages of the given size for the outbox benchmark. Commits."""
    tag = secrets.token_hex(4)
    now = utcnow()
    table = OutboxMessage.__table__
    for start in range(0, count, 5000):
        db.session.execute(insert(table), [
            {"kind": kind, "priority": priority,
             "to_addr": f"outbox-{tag}-{i}@bench.example.org",
             "subject": subject, "body_text": body_text, "body_html": body_html,
             "headers": {}, "status": "queued", "attempts": 0, "created_at": now,
             "next_attempt_at": now}
            for i in range(start, min(count, start + 5000))])
    db.session.commit()
    return tag
