"""Signatures seen by organizers: search, keyset pages, invalidation, exports."""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    cast,
    func,
    select,
    type_coerce,
)

from ...audit import service as audit
from ...extensions import db
from ...organizers.models import User
from ...util import utcnow
from .. import cursor, custom_fields, lifecycle, search
from ..models import SIGNATURE_SOURCES, SIGNATURE_STATUSES, Signature

PAGE_SIZE = 50
EXPORT_FIELDS = ("id", "full_name", "email", "country", "locale", "status", "source",
                 "display", "updates_opt_in", "comment", "comment_hidden",
                 "invalidation_reason", "created_at", "confirmed_at", "import_batch_id")


@dataclass
class SignatureFilter:
    q: str = ""              # part of the name or e-mail address
    country: str = ""        # ISO code
    status: str = ""         # one of SIGNATURE_STATUSES, or "" for all
    source: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SignatureFilter:
        status = args.get("status", "")
        source = args.get("source", "")
        country = args.get("country", "").strip().upper()
        # Control characters (a NUL would make PostgreSQL refuse the query) are no one's name.
        q = "".join(ch if ch.isprintable() else " " for ch in args.get("q", ""))
        return cls(q=q.strip()[:100],
                   country=country if len(country) == 2 and country.isalpha() else "",
                   status=status if status in SIGNATURE_STATUSES else "",
                   source=source if source in SIGNATURE_SOURCES else "")

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def _filtered(campaign_id: int, flt: SignatureFilter) -> Select[Signature]:
    query = select(Signature).where(Signature.campaign_id == campaign_id)
    if flt.status:
        query = query.where(Signature.status == flt.status)
    if flt.country:
        query = query.where(Signature.country == flt.country)
    if flt.source:
        query = query.where(Signature.source == flt.source)
    if flt.q:
        query = search.matching(query, flt.q)
    return query


def page(campaign_id: int, flt: SignatureFilter, *, before_id: int | None = None,
         size: int = PAGE_SIZE) -> tuple[list[Signature], int | None]:
    """Newest first, `size` rows below `before_id`; returns the rows and the next cursor.

    Keyset (id < cursor) rather than OFFSET: page 20,000 costs what page 1 does, using the
    (campaign_id, id) index.
    """
    key = search.order_key(flt.q)
    query = _filtered(campaign_id, flt).order_by(key.desc()).limit(size + 1)
    if before_id:
        query = query.where(key < before_id)
    rows = list(db.session.scalars(query))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more else None)


def signature_in(campaign_id: int, signature_id: int) -> Signature | None:
    return db.session.scalar(select(Signature).where(
        Signature.id == signature_id, Signature.campaign_id == campaign_id))


def invalidate(user: User, signature: Signature, reason: str) -> bool:
    """Mark a signature invalid (fraud, duplicate...); uncount it if it counted."""
    reason = reason.strip()[:200]
    if not reason:
        raise ValueError("reason")
    # Conditional update: two organizers clicking at once uncount once.
    changed = lifecycle.invalidate(signature, reason)
    if changed:
        audit.record(user, "signature.invalidate", campaign_id=signature.campaign_id,
                     target=f"signature {signature.id}", reason=reason)
    db.session.commit()
    db.session.refresh(signature)
    return bool(changed)


def restore(user: User, signature: Signature) -> bool:
    """Undo an invalidation: back to confirmed (and counted) if it had been confirmed."""
    changed = lifecycle.restore(signature)
    if changed:
        audit.record(user, "signature.restore", campaign_id=signature.campaign_id,
                     target=f"signature {signature.id}")
    db.session.commit()
    db.session.refresh(signature)
    return bool(changed)


def set_comment_hidden(user: User, signature: Signature, hidden: bool) -> None:
    signature.comment_hidden = hidden
    audit.record(user, "signature.hide_comment" if hidden else "signature.show_comment",
                 campaign_id=signature.campaign_id, target=f"signature {signature.id}")
    db.session.commit()


def comment_queue(campaign_id: int, limit: int = PAGE_SIZE) -> list[Signature]:
    """Comments waiting for an organizer: counted, not hidden, not yet approved; oldest
    first, so the queue is worked through in order."""
    return list(db.session.scalars(
        select(Signature).where(Signature.campaign_id == campaign_id, lifecycle.counted(),
                                Signature.comment.is_not(None),
                                Signature.comment_hidden.is_(False),
                                Signature.comment_approved_at.is_(None))
        .order_by(Signature.id).limit(limit)))


def approve_comment(user: User, signature: Signature) -> None:
    signature.comment_approved_at = utcnow()
    signature.comment_hidden = False
    audit.record(user, "signature.approve_comment", campaign_id=signature.campaign_id,
                 target=f"signature {signature.id}")
    db.session.commit()


def set_name_hidden(user: User, signature: Signature, hidden: bool) -> None:
    """Hide the public name (the signature keeps counting: its state is untouched)."""
    signature.name_hidden = hidden
    audit.record(user, "signature.hide_name" if hidden else "signature.show_name",
                 campaign_id=signature.campaign_id, target=f"signature {signature.id}")
    db.session.commit()


# --- exports ------------------------------------------------------------------------------

def _rows(campaign_id: int, flt: SignatureFilter) -> Iterator[Sequence[Any]]:
    # Plain Core rows (no ORM loading step) streamed in batches by yield_per (a server-side
    # cursor on PostgreSQL): memory stays flat however many signatures there are.
    columns = [getattr(Signature, name) for name in EXPORT_FIELDS]
    # yield_per on the statement: on the connection it would stay set for every later
    # statement of the session (a server-side cursor for an INSERT fails on PostgreSQL).
    query = _filtered(campaign_id, flt).with_only_columns(*columns).order_by(
        search.order_key(flt.q)).execution_options(yield_per=2000)
    result = db.session.connection().execute(query)
    for rows in result.partitions():  # a list of 2000 at a time, not a fetch per row
        yield from rows


def export_header(campaign_id: int) -> tuple[str, ...]:
    """The export's columns: the signature's, then one per custom field (its key)."""
    return (*EXPORT_FIELDS, *_field_keys(campaign_id))


def export_rows(campaign_id: int, flt: SignatureFilter) -> Iterator[tuple[Any, ...]]:
    """Every column of the filtered signatures with the custom fields' answers, oldest first,
    streamed, as typed values (the XLSX and JSON exports; spreadsheet.py defuses formulas)."""
    return _with_answers(campaign_id, flt, _field_keys(campaign_id))


def _with_answers(campaign_id: int, flt: SignatureFilter, keys: list[str]
                  ) -> Iterator[tuple[Any, ...]]:
    """The rows with the custom fields' answers appended (column "field:<key>"), looked up
    500 signatures at a time so memory stays flat."""
    rows = _rows(campaign_id, flt)
    if not keys:  # no custom fields: the rows as they come, no lookups
        yield from (tuple(row) for row in rows)
        return
    batch: list[tuple[Any, ...]] = []

    def flush() -> Iterator[tuple[Any, ...]]:
        answers = custom_fields.answers_of([row[0] for row in batch])
        for row in batch:
            mine = answers.get(row[0], {})
            yield (*row, *(mine.get(key, "") for key in keys))
        batch.clear()

    for row in rows:
        batch.append(tuple(row))
        if len(batch) == 500:
            yield from flush()
    yield from flush()


def _field_keys(campaign_id: int) -> list[str]:
    return [field.key for field in custom_fields.fields_of(campaign_id)]


# The CSV export reads each cell as the text the CSV writes (csv.writer and safe_cell): ""
# for NULL, digits for a number, 1/0 for a yes/no, str(datetime) for a time, which is
# "YYYY-MM-DD HH:MM:SS" and ".ffffff" only when there are microseconds. The database
# makes that text, so rows arrive as tuples of str that spreadsheet.iter_csv_chunks joins
# at C speed (export_rows' typed values through csv.writer cost ~5x more a row). The
# expressions are the cheapest that give it (no CASE; COALESCE only where NULL can be):
# they run once per cell of a million-row export. tests/petitions/test_csv_export.py
# checks the result byte for byte against the typed rows on both databases.

def _as_text(name: str, dialect: str) -> ColumnElement[Any]:
    column = getattr(Signature, name)
    kind = column.type
    value: Any
    if isinstance(kind, DateTime):
        # SQLite holds the text SQLAlchemy wrote ("YYYY-MM-DD HH:MM:SS.ffffff"); ".000000"
        # can only be the fraction, as the date has no dot.
        text = (func.to_char(column, "YYYY-MM-DD HH24:MI:SS.US") if dialect == "postgresql"
                else type_coerce(column, String))
        value = func.replace(text, ".000000", "")
    elif isinstance(kind, Boolean) and dialect == "postgresql":
        value = cast(cast(column, Integer), String)
    elif isinstance(kind, (Boolean, Integer)):  # SQLite stores yes/no as 1/0
        value = cast(column, String)
    else:
        value = type_coerce(column, String)
    if Signature.__table__.c[name].nullable:
        value = func.coalesce(value, "")
    return value.label(name)  # type: ignore[no-any-return]


def export_text_chunks(campaign_id: int, flt: SignatureFilter, *, chunk_rows: int = 2000
                       ) -> Iterator[list[tuple[str, ...]]]:
    """The CSV export's rows (export_header's columns, oldest first) as text, in chunks of
    `chunk_rows` straight from the driver's cursor; custom fields' answers looked up a chunk
    at a time. Memory holds one chunk."""
    keys = _field_keys(campaign_id)
    dialect = db.session.get_bind().dialect.name
    query = _filtered(campaign_id, flt).with_only_columns(
        *(_as_text(name, dialect) for name in EXPORT_FIELDS)).order_by(search.order_key(flt.q))
    for chunk in cursor.chunks(query, chunk_rows):
        if keys:
            answers = custom_fields.answers_of([int(row[0]) for row in chunk])
            chunk = [(*row, *(answers.get(int(row[0]), {}).get(key, "") for key in keys))
                     for row in chunk]
        yield chunk


def export_json(campaign_id: int, flt: SignatureFilter) -> Iterator[str]:
    yield '{"exported_at": ' + json.dumps(utcnow().isoformat()) + ', "signatures": ['
    separator = ""
    keys = _field_keys(campaign_id)
    for signature in _with_answers(campaign_id, flt, keys):
        record = {field: value.isoformat() if hasattr(value, "isoformat") else value
                  for field, value in zip(EXPORT_FIELDS, signature[:len(EXPORT_FIELDS)],
                                          strict=True)}
        record["custom_fields"] = {key: value for key, value in
                                   zip(keys, signature[len(EXPORT_FIELDS):], strict=True) if value}
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ","
    yield "]}"


def audit_export(user: User, campaign_id: int, kind: str, flt: SignatureFilter) -> None:
    audit.record(user, f"signature.export_{kind}", campaign_id=campaign_id,
                 filters=flt.as_args())
    db.session.commit()
