"""Signatures seen by organizers: search, keyset pages, invalidation, exports."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import or_, select

from ...audit import service as audit
from ...extensions import db
from ...spreadsheet import iter_csv
from ...util import utcnow
from .. import lifecycle
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
    def from_args(cls, args) -> SignatureFilter:
        status = args.get("status", "")
        source = args.get("source", "")
        country = args.get("country", "").strip().upper()
        return cls(q=args.get("q", "").strip()[:100],
                   country=country if len(country) == 2 and country.isalpha() else "",
                   status=status if status in SIGNATURE_STATUSES else "",
                   source=source if source in SIGNATURE_SOURCES else "")

    def as_args(self) -> dict:
        return {k: v for k, v in vars(self).items() if v}


def _filtered(campaign_id: int, flt: SignatureFilter):
    query = select(Signature).where(Signature.campaign_id == campaign_id)
    if flt.status:
        query = query.where(Signature.status == flt.status)
    if flt.country:
        query = query.where(Signature.country == flt.country)
    if flt.source:
        query = query.where(Signature.source == flt.source)
    if flt.q:
        pattern = "%" + flt.q.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        query = query.where(or_(db.func.lower(Signature.full_name).like(pattern, escape="\\"),
                                db.func.lower(Signature.email).like(pattern, escape="\\")))
    return query


def page(campaign_id: int, flt: SignatureFilter, *, before_id: int | None = None,
         size: int = PAGE_SIZE) -> tuple[list[Signature], int | None]:
    """Newest first, `size` rows below `before_id`; returns the rows and the next cursor.

    Keyset (id < cursor) rather than OFFSET: page 20,000 costs what page 1 does, using the
    (campaign_id, id) index.
    """
    query = _filtered(campaign_id, flt).order_by(Signature.id.desc()).limit(size + 1)
    if before_id:
        query = query.where(Signature.id < before_id)
    rows = list(db.session.scalars(query))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more else None)


def signature_in(campaign_id: int, signature_id: int) -> Signature | None:
    return db.session.scalar(select(Signature).where(
        Signature.id == signature_id, Signature.campaign_id == campaign_id))


def invalidate(user, signature: Signature, reason: str) -> bool:
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


def restore(user, signature: Signature) -> bool:
    """Undo an invalidation: back to confirmed (and counted) if it had been confirmed."""
    changed = lifecycle.restore(signature)
    if changed:
        audit.record(user, "signature.restore", campaign_id=signature.campaign_id,
                     target=f"signature {signature.id}")
    db.session.commit()
    db.session.refresh(signature)
    return bool(changed)


def set_comment_hidden(user, signature: Signature, hidden: bool) -> None:
    signature.comment_hidden = hidden
    audit.record(user, "signature.hide_comment" if hidden else "signature.show_comment",
                 campaign_id=signature.campaign_id, target=f"signature {signature.id}")
    db.session.commit()


# --- exports ------------------------------------------------------------------------------

def _rows(campaign_id: int, flt: SignatureFilter):
    # Plain rows (no ORM objects) streamed in batches by yield_per (a server-side cursor on
    # PostgreSQL): memory stays flat however many signatures there are.
    columns = [getattr(Signature, f) for f in EXPORT_FIELDS]
    query = _filtered(campaign_id, flt).with_only_columns(*columns).order_by(
        Signature.id).execution_options(yield_per=2000)
    yield from db.session.execute(query)


def export_csv(campaign_id: int, flt: SignatureFilter) -> Iterator[str]:
    """Every column, formulas defused, with a BOM for Excel; streamed 500 rows a chunk."""
    yield from iter_csv(EXPORT_FIELDS, _rows(campaign_id, flt), bom=True)


def export_json(campaign_id: int, flt: SignatureFilter) -> Iterator[str]:
    yield '{"exported_at": ' + json.dumps(utcnow().isoformat()) + ', "signatures": ['
    separator = ""
    for signature in _rows(campaign_id, flt):
        record = {field: value.isoformat() if hasattr(value, "isoformat") else value
                  for field, value in zip(EXPORT_FIELDS, signature, strict=True)}
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ","
    yield "]}"


def audit_export(user, campaign_id: int, kind: str, flt: SignatureFilter) -> None:
    audit.record(user, f"signature.export_{kind}", campaign_id=campaign_id,
                 filters=flt.as_args())
    db.session.commit()
