"""Bulk rows for the benchmarks: signatures (petitions/bulk.py writes them, as only
petitions writes signatures) and outbox messages."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import cast

from sqlalchemy import Table, insert, select

from ..extensions import db
from ..outbox.models import OutboxMessage
from ..petitions.bulk import seed_signatures
from ..petitions.models import Signature
from ..petitions.service import signature_token
from ..util import utcnow

__all__ = ["confirm_tokens", "seed_outbox", "seed_signatures", "seed_signer_mail"]

def confirm_tokens(campaign_id: int, tag: str) -> Iterator[str]:
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
    table = cast(Table, OutboxMessage.__table__)
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


def seed_signer_mail(campaign_id: int, count: int) -> str:
    """`count` new pending signatures, each with its confirmation e-mail queued as the sign
    path queues it (a row naming the signature, rendered by the worker). Commits."""
    from ..emails import mail_kind
    from ..outbox.service import deferred_insert, deferred_params

    tag = seed_signatures(campaign_id, count, status="pending")
    statement = deferred_insert()
    priority = mail_kind("signature_confirm").priority
    result = db.session.execute(
        select(Signature.id, Signature.email, Signature.locale)
        .where(Signature.campaign_id == campaign_id,
               Signature.email_key.like(f"seed-{tag}-%"))
        .order_by(Signature.id))
    params = [deferred_params(kind="signature_confirm", to=email, lang=locale,
                              ref=signature_id, priority=priority, campaign_id=campaign_id)
              for signature_id, email, locale in result]
    for start in range(0, len(params), 5000):
        db.session.execute(statement, params[start:start + 5000])
    db.session.commit()
    return tag
