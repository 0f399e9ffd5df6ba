"""Finding signatures by name or e-mail address, fast at a million rows on both databases.

PostgreSQL: each word typed is a substring of the name or the address (`lower(col) LIKE
'%word%'`; if every word is under three characters, they must start it), served by trigram GIN
indexes (pg_trgm) on lower(full_name) and lower(email).
SQLite: word-prefix matching through an FTS5 table (`signature_search`, external content
on `signatures`); "ann" finds "Anna Petrova" and "anna@example.org", "petr" finds "Petrova".
Its unicode61 tokenizer folds case and diacritics for every script, which SQLite's
ASCII-only lower() does not. Signing does not index: indexing was half of SQLite's work per
signature, and SQLite's one writer bounds how fast people can sign. catch_up_index adds
the signatures above a mark (`signature_search_state.indexed_through`) in batches: before
every console search (so search is as current as the table) and from the outbox worker's
loop (so a surge is indexed without waiting for a search). Triggers keep indexed rows in
step when they are renamed or deleted (migration 2026_12_01_0600).

Both are created by the migration 2026_11_30_1700; models do not describe them, so
DATABASE_ONLY names them for autogenerate and the drift test to leave alone.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Column, ColumnElement, Integer, MetaData, Select, Table, or_, text
from sqlalchemy.orm import InstrumentedAttribute

from ..extensions import db
from .models import Signature

FTS_TABLE = "signature_search"
STATE_TABLE = "signature_search_state"  # one row: indexed_through, the highest id indexed
# Objects the migrations keep that the models do not describe (FTS5 and its shadow tables,
# its mark, the trigram indexes).
DATABASE_ONLY = {FTS_TABLE, STATE_TABLE, *(f"{FTS_TABLE}_{part}" for part in
                                           ("data", "idx", "content", "docsize", "config")),
                 "ix_signatures_full_name_trgm", "ix_signatures_email_trgm"}
# Rows indexed per write transaction: 10,000 took 0.2-0.4 s (docs/console.md), during
# which signers wait for the write lock; 5,000 keeps that wait near a tenth of a second.
CATCH_UP_CHUNK = 5000

_WORD = re.compile(r"\w+", re.UNICODE)
# The FTS5 table as SQLAlchemy sees it, in a metadata of its own (never created from here).
_fts = Table(FTS_TABLE, MetaData(), Column("rowid", Integer, primary_key=True))


def keep_in_schema_compare(obj: object, name: str | None, type_: str, reflected: bool,
                           compare_to: object) -> bool:
    """Alembic `include_object`: skip what only the database has, on purpose."""
    return name not in DATABASE_ONLY


def fts_query(q: str) -> str | None:
    """An FTS5 MATCH expression: every word of `q` as a quoted prefix, all required.

    Quoting makes any input safe (no FTS syntax reaches the engine). None when `q` has no
    word at all (e.g. "%"): nothing can match it.
    """
    words = _WORD.findall(q)
    if not words:
        return None
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words[:8])


def _escape_like(text_: str) -> str:
    return text_.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_patterns(q: str) -> list[str]:
    """PostgreSQL: one LIKE pattern per word of `q` (split on spaces), all required.

    Words may be anywhere in the name or address: the trigram indexes serve each word of
    three characters or more, and short words are then checked on the rows those find. When
    every word is short (no trigram of its own), they must start the name or the address,
    which the indexes still serve (pg_trgm pads the start of a string).
    """
    words = q.split()[:8]
    anywhere = any(len(word) >= 3 for word in words)
    return [("%" if anywhere else "") + _escape_like(word) + "%" for word in words]


def _uses_fts() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


_OUTSTANDING = text(f"SELECT EXISTS (SELECT 1 FROM signatures WHERE id > "
                    f"(SELECT indexed_through FROM {STATE_TABLE}))")
# A write first: it takes the write lock and starts the transaction, so what follows reads
# the table as it is while no one else can write.
_LOCK = text(f"UPDATE {STATE_TABLE} SET indexed_through = indexed_through")
_MARK = text(f"SELECT indexed_through FROM {STATE_TABLE}")
_LAST = text("SELECT max(id) FROM (SELECT id FROM signatures WHERE id > :mark "
             "ORDER BY id LIMIT :n)")
_INDEX = text(f"INSERT INTO {FTS_TABLE}(rowid, full_name, email) SELECT id, full_name, "
              "email FROM signatures WHERE id > :mark AND id <= :last")
_MOVE = text(f"UPDATE {STATE_TABLE} SET indexed_through = :last")


def catch_up_index(limit: int = CATCH_UP_CHUNK) -> int:
    """SQLite: index up to `limit` signatures not yet in the search index, oldest first, in
    one short write transaction of its own; returns how many. PostgreSQL: nothing to do.

    The mark is safe to move past every id indexed: SQLite has one writer, so a signature
    that commits later gets an id above every committed one, hence above the mark (the delete
    trigger lowers the mark when the newest rows go, whose ids SQLite would hand out again).
    Its own connection: the caller's session (a console page's) is neither committed nor
    expired. The caller must not hold a write transaction open (it would wait on itself).
    """
    if not _uses_fts():
        return 0
    with db.engine.connect() as connection:
        # A read outside any transaction first: an idle worker asks this every second and
        # must not take the write lock for nothing.
        if not connection.scalar(_OUTSTANDING):
            connection.rollback()
            return 0
        connection.execute(_LOCK)
        mark = connection.scalar(_MARK)
        last = connection.scalar(_LAST, {"mark": mark, "n": limit})
        if last is None:  # indexed meanwhile by another process
            connection.rollback()
            return 0
        indexed = connection.execute(_INDEX, {"mark": mark, "last": last}).rowcount
        connection.execute(_MOVE, {"last": last})
        connection.commit()
    return int(indexed)


def catch_up_all(chunk: int = CATCH_UP_CHUNK) -> int:
    """Index every signature still waiting, `chunk` rows per transaction so signers wait
    at most one chunk for the write lock; before a console search."""
    total = 0
    while (indexed := catch_up_index(chunk)) == chunk:
        total += indexed
    return total + indexed


def order_key(q: str) -> ColumnElement[Any] | InstrumentedAttribute[int]:
    """The id to order and page by when searching for `q`.

    On SQLite it is the FTS table's rowid (equal to the signature's id): FTS5 then hands
    over matches newest first and stops at the page's end, where `signatures.id` would make
    SQLite collect every match and sort them (a second for a word a million signers share,
    40 ms this way).
    """
    return _fts.c.rowid if q and _uses_fts() and fts_query(q) else Signature.id


def matching(query: Select[Signature], q: str) -> Select[Signature]:
    """`query` (a select over Signature) narrowed to signatures whose name or address
    matches `q`; order and page it by order_key(q)."""
    if _uses_fts():
        expression = fts_query(q)
        if expression is None:
            return query.where(text("0"))
        catch_up_all()  # signatures signed since the last catch-up are found too
        return query.join(_fts, _fts.c.rowid == Signature.id).where(
            text(f"{FTS_TABLE} MATCH :fts_q").bindparams(fts_q=expression))
    for pattern in like_patterns(q):
        query = query.where(or_(db.func.lower(Signature.full_name).like(pattern, escape="\\"),
                                db.func.lower(Signature.email).like(pattern, escape="\\")))
    return query
