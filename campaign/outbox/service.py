"""Queueing and delivering e-mail.

`enqueue` adds a message to the caller's transaction, so the e-mail exists exactly when the
action that causes it was committed. Workers claim due messages with a lease in one short
statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers never claim the same
row; SQLite has a single writer), send them outside any transaction over one SMTP connection,
then record the outcome. A worker killed mid-batch leaves its rows "sending"; their lease
lapses and another worker sends them again: delivery is at least once, never lost.
"""
from __future__ import annotations

import logging
import random
import threading
from datetime import timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import and_, func, or_, select, update

from ..extensions import db
from ..ops import metrics
from ..util import utcnow
from .models import OutboxAttachment, OutboxMessage
from .transports import get_transport

log = logging.getLogger(__name__)


def enqueue(*, kind: str, to: str, subject: str, body_text: str, body_html: str | None = None,
            reply_to: str | None = None, headers: dict | None = None,
            attachments: list[tuple[str, str, bytes]] | None = None) -> OutboxMessage:
    """Queue a message in the current transaction (the caller commits).

    `attachments`: (file name, content type, bytes) triples sent with the message."""
    message = OutboxMessage(kind=kind, to_addr=to, subject=subject, body_text=body_text,
                            body_html=body_html, reply_to=reply_to, headers=headers or {},
                            attachments=[OutboxAttachment(filename=name, content_type=ctype,
                                                          data=data)
                                         for name, ctype, data in attachments or ()])
    db.session.add(message)
    if has_request_context():
        g.outbox_queued = True
    return message


def deliver_inline_after_request(response):
    """With OUTBOX_INLINE (the embedded default), send what this request queued, so that a
    newcomer without a worker running sees the e-mail (and its link in the log) at once."""
    if g.pop("outbox_queued", False) and current_app.config.get("OUTBOX_INLINE"):
        try:
            work(once=True)
        except Exception:
            log.exception("outbox: inline delivery failed; messages stay queued")
            db.session.rollback()
    return response


def claim_batch(limit: int | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for this worker and return them detached."""
    config = current_app.config
    limit = limit or config["OUTBOX_BATCH_SIZE"]
    now = utcnow()
    due = (
        select(OutboxMessage.id)
        .where(or_(
            and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
        ))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due))
        .values(status="sending", attempts=OutboxMessage.attempts + 1,
                lease_until=now + timedelta(seconds=config["OUTBOX_LEASE_SECONDS"]))
        .returning(OutboxMessage.id)
    ).all()
    db.session.commit()
    if not claimed:
        return []
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
    ).all()
    for row in rows:
        db.session.expunge(row)
    db.session.rollback()  # end the read transaction: no connection idles while we send
    return list(rows)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base, 2*base, 4*base ... capped at six hours."""
    base = current_app.config["OUTBOX_RETRY_BASE_SECONDS"]
    seconds = min(base * 2 ** max(attempts - 1, 0), 6 * 3600)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def deliver_batch(limit: int | None = None) -> int:
    """Claim and send one batch; returns how many messages were claimed."""
    rows = claim_batch(limit)
    if not rows:
        return 0
    sent_ids: list[int] = []
    failures: dict[int, str] = {}
    pending = {row.id: row for row in rows}
    try:
        for row, error in get_transport().send_batch(rows):
            pending.pop(row.id, None)
            if error is None:
                sent_ids.append(row.id)
            else:
                failures[row.id] = error
    except Exception as exc:  # noqa: BLE001 - e.g. SMTP server down: retry them all later
        error = f"{type(exc).__name__}: {exc}"
        log.warning("outbox: transport failed, %d message(s) will be retried: %s",
                    len(pending), error)
        failures.update({row_id: error for row_id in pending})
    _record_outcome(rows, sent_ids, failures)
    metrics.count("outbox_delivery_failures", len(failures))
    log.info("outbox batch: %d sent, %d failed", len(sent_ids), len(failures),
             extra={"job": "outbox batch", "outcome": "ok" if not failures else "retry"})
    return len(rows)


def _record_outcome(rows, sent_ids, failures) -> None:
    now = utcnow()
    if sent_ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(sent_ids))
            .values(status="sent", sent_at=now, lease_until=None, last_error=None))
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    by_id = {row.id: row for row in rows}
    for row_id, error in failures.items():
        attempts = by_id[row_id].attempts  # read after the claim, which counted this attempt
        values = {"last_error": error[:2000], "lease_until": None}
        if attempts >= max_attempts:
            values["status"] = "failed"
            log.error("outbox: message %s failed for good after %d attempts: %s",
                      row_id, attempts, error)
        else:
            values.update(status="queued", next_attempt_at=now + retry_delay(attempts))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                           .values(**values))
    db.session.commit()


def work(*, once: bool = False, stop: threading.Event | None = None,
         idle_seconds: float = 1.0) -> int:
    """Deliver until stopped (or, with `once`, until nothing is due). Returns messages handled."""
    stop = stop or threading.Event()
    handled = 0
    while not stop.is_set():
        claimed = deliver_batch()
        handled += claimed
        if claimed == 0:
            if once:
                break
            stop.wait(idle_seconds)
    return handled


def counts_by_status() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {status: count for status, count in rows}


def retry_failed() -> int:
    """Put failed messages back in the queue (after the operator fixed the cause)."""
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=utcnow()))
    db.session.commit()
    return result.rowcount


def prune_sent(older_than_days: int) -> int:
    """Delete sent messages older than N days: they hold addresses and personal text."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(
        OutboxMessage.__table__.delete().where(
            OutboxMessage.status == "sent", OutboxMessage.sent_at < cutoff))
    db.session.commit()
    return result.rowcount


def count_by_status(*statuses: str) -> int:
    """Messages in these states (metrics read it at scrape time)."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status.in_(statuses))) or 0


def oldest_waiting_age() -> float:
    """Seconds since the oldest message still waiting was queued; 0 when none waits."""
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at))
                               .where(OutboxMessage.status.in_(("queued", "sending"))))
    return (utcnow() - oldest).total_seconds() if oldest else 0.0
