"""Record and read the audit log. Entries join the caller's transaction (no commit here)."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import AuditEntry


def record(user, action: str, *, campaign_id: int | None = None, target: str = "",
           **detail) -> AuditEntry:
    entry = AuditEntry(user_id=getattr(user, "id", None),
                       user_email=getattr(user, "email", "") or "system",
                       action=action, campaign_id=campaign_id, target=str(target)[:200],
                       detail={k: v for k, v in detail.items() if v is not None})
    db.session.add(entry)
    return entry


def entries(*, campaign_id: int | None = None, before_id: int | None = None,
            limit: int = 100) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if campaign_id is not None:
        query = query.where(AuditEntry.campaign_id == campaign_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.scalars(query))
