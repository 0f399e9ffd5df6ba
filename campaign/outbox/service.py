"""Queueing and delivering e-mail.

`enqueue` adds a message to the caller's transaction, so the e-mail exists exactly when the
action that causes it was committed. Workers claim due messages with a lease in one short
statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers never claim the same
row; SQLite has a single writer), send them outside any transaction over one SMTP connection,
then record the outcome. A worker killed mid-batch leaves its rows "sending"; their lease
lapses and another worker sends them again: delivery is at least once, never lost.

Most urgent first: a claim takes the lowest `priority` (confirmations and receipts 0,
reminders 5, bulk updates 10), so a queue of 100,000 updates does not hold up a
confirmation. Nothing is sent to an address on the suppression list (`suppression.py`), and
a recipient refused with a 5xx is not tried again. OUTBOX_DOMAIN_RATE_LIMIT spreads a big
send over time per recipient domain.
"""
from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from flask import Flask, Response, current_app, g, has_request_context
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    FromClause,
    Insert,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)

from ..extensions import db
from ..ops import metrics
from ..util import utcnow
from . import rendering, suppression
from .models import OutboxAttachment, OutboxMessage
from .transports import Bounce, Transport, get_transport

# Claim order: lower first. What a person is waiting for goes before news.
PRIORITY_URGENT = 0
PRIORITY_BACKGROUND = 5  # a sweep's mail to people (reminders): after what they wait for
PRIORITY_BULK = 10

log = logging.getLogger(__name__)


def enqueue(*, kind: str, to: str, subject: str, body_text: str, body_html: str | None = None,
            reply_to: str | None = None, headers: dict[str, str] | None = None,
            attachments: list[tuple[str, str, bytes]] | None = None,
            priority: int = PRIORITY_URGENT, campaign_id: int | None = None) -> OutboxMessage:
    """Queue a message in the current transaction (the caller commits).

    `attachments`: (file name, content type, bytes) triples sent with the message.
    `priority`: PRIORITY_BULK for mail nobody waits for (updates); it is also what an address
    that unsubscribed from everything or complained no longer gets."""
    message = OutboxMessage(kind=kind, to_addr=to, subject=subject, body_text=body_text,
                            body_html=body_html, reply_to=reply_to, headers=headers or {},
                            priority=priority, campaign_id=campaign_id,
                            attachments=[OutboxAttachment(filename=name, content_type=ctype,
                                                          data=data)
                                         for name, ctype, data in attachments or ()])
    db.session.add(message)
    if has_request_context():
        g.outbox_queued = True
    return message


def note_queued() -> None:
    """Tell OUTBOX_INLINE delivery that this request queued mail (for rows a feature
    inserted itself with `deferred_values`)."""
    if has_request_context():
        g.outbox_queued = True


DEFERRED_PARAM_PREFIX = "mail_"
_DEFERRED_COLUMNS = ("kind", "priority", "campaign_id", "to_addr", "subject", "body_text",
                     "headers", "status", "attempts", "created_at", "next_attempt_at",
                     "render_lang")


def deferred_insert(ref: ColumnElement[int] | None = None) -> Insert:
    """The Core INSERT of a message rendered at delivery (rendering.py), values as bind
    parameters named `mail_<column>` (`deferred_params`). `ref`: an expression for the id
    of the record it is about (e.g. from the caller's CTE), else the parameter
    `mail_render_ref`. Build it once and keep it: executing it costs no statement
    building."""
    table = cast(Table, OutboxMessage.__table__)
    values: dict[str, Any] = {
        name: bindparam(DEFERRED_PARAM_PREFIX + name, type_=table.c[name].type)
        for name in (*_DEFERRED_COLUMNS, "render_ref")}
    if ref is not None:
        values["render_ref"] = ref
    return insert(table).values(values)


def deferred_insert_from(ref: ColumnElement[int], source: FromClause,
                         **columns: ColumnElement[Any]) -> Insert:
    """`deferred_insert` as an INSERT ... SELECT: one message per row of `source` (e.g. the
    caller's CTE of the rows just inserted), `ref` that row's id. No row, no message.
    `columns`: values taken from `source` instead of parameters (e.g. to_addr=...)."""
    table = cast(Table, OutboxMessage.__table__)
    columns_ = [*_DEFERRED_COLUMNS, "render_ref"]
    values: list[Any] = [
        columns[name] if name in columns
        else bindparam(DEFERRED_PARAM_PREFIX + name, type_=table.c[name].type)
        for name in _DEFERRED_COLUMNS]
    values.append(ref)
    return insert(table).from_select(columns_, select(*values).select_from(source))


_ENQUEUE_DEFERRED = deferred_insert()


def deferred_params(*, kind: str, to: str, lang: str, ref: int | None = None,
                    priority: int = PRIORITY_URGENT, campaign_id: int | None = None
                    ) -> dict[str, object]:
    """The parameters of `deferred_insert` for one message: `ref` is the id of the record
    the renderer of `kind` builds it from (unused when the statement has its own `ref`)."""
    now = utcnow()
    values = {"kind": kind, "priority": priority, "campaign_id": campaign_id, "to_addr": to,
              "subject": "", "body_text": "", "headers": {}, "status": "queued",
              "attempts": 0, "created_at": now, "next_attempt_at": now, "render_lang": lang,
              "render_ref": ref}
    return {DEFERRED_PARAM_PREFIX + name: value for name, value in values.items()}


def enqueue_deferred(*, kind: str, to: str, lang: str, ref: int,
                     priority: int = PRIORITY_URGENT, campaign_id: int | None = None) -> None:
    """Queue a message that the renderer registered for `kind` builds at delivery from the
    record `ref`, in the current transaction (the caller commits)."""
    db.session.execute(_ENQUEUE_DEFERRED, deferred_params(
        kind=kind, to=to, lang=lang, ref=ref, priority=priority, campaign_id=campaign_id))
    note_queued()


def deliver_inline_after_request(response: Response) -> Response:
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
    # Claims of dead workers go back to the queue first. Kept out of the claim itself: an OR
    # of the two conditions cannot follow the (status, priority, id) index, and the claim
    # became a sort of the whole queue (340 ms per batch with 100,000 queued, on every
    # worker at once); this way it reads the first rows of the index and stops.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now)
        .values(status="queued", next_attempt_at=now)
        .execution_options(synchronize_session=False))
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.priority, OutboxMessage.id)
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
        select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
        .order_by(OutboxMessage.priority, OutboxMessage.id)
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


def _domain_limiter() -> FixedWindowRateLimiter:
    """Counters on the rate-limit storage (Redis when set): shared by every worker."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]  # Flask's hints type the proxy as the app itself
    limiter: FixedWindowRateLimiter | None = app.extensions.get("outbox_domain_limiter")
    if limiter is None:
        storage = storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
                                      **(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}))
        limiter = app.extensions["outbox_domain_limiter"] = FixedWindowRateLimiter(storage)
    return limiter


def _over_domain_rate(rows: list[OutboxMessage]) -> dict[int, int]:
    """{row id: seconds to wait} for rows whose recipient domain had its share for now."""
    spec = current_app.config.get("OUTBOX_DOMAIN_RATE_LIMIT")
    if not spec:
        return {}
    items = parse_many(spec)
    limiter = _domain_limiter()
    deferred: dict[int, int] = {}
    for row in rows:
        domain = row.to_addr.rpartition("@")[2].lower()
        for item in items:
            try:
                allowed = limiter.hit(item, "outbox-domain", domain)
            except Exception:  # noqa: BLE001 - storage down: better sent than stuck
                log.warning("outbox: rate-limit storage unavailable, domain limit skipped")
                return deferred
            if not allowed:
                deferred[row.id] = max(1, item.get_expiry() // 4)
                break
    return deferred


def _hold_back(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """Settle the rows that must not go now; return the others.

    Suppressed addresses are marked failed (never sent); rows over their domain's rate go back
    to the queue for a little later, without counting an attempt."""
    scopes = suppression.suppressed_scopes({row.to_addr for row in rows})
    suppressed = [row for row in rows if "all" in scopes.get(row.to_addr, ())
                  or (row.priority >= PRIORITY_BULK and "bulk" in scopes.get(row.to_addr, ()))]
    if suppressed:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_([row.id for row in suppressed]))
            .values(status="failed", lease_until=None,
                    last_error="suppressed: the address bounced, unsubscribed or complained"))
    rest = [row for row in rows if row not in suppressed]
    deferred = _over_domain_rate(rest)
    now = utcnow()
    for row_id, seconds in deferred.items():
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row_id)
            .values(status="queued", lease_until=None, attempts=OutboxMessage.attempts - 1,
                    next_attempt_at=now + timedelta(seconds=seconds)))
    if suppressed or deferred:
        db.session.commit()
    return [row for row in rest if row.id not in deferred]


def deliver_batch(limit: int | None = None, transport: Transport | None = None) -> int:
    """Claim and send one batch; returns how many messages were claimed. A worker passes its
    `transport` so the SMTP session lives from batch to batch."""
    claimed = claim_batch(limit)
    if not claimed:
        return 0
    # Messages queued for rendering at delivery are built now (rendering.py).
    rows, failures = rendering.render_due(_hold_back(claimed))
    sendable = [row for row in rows if row.id not in failures]
    sent_ids: list[int] = []
    pending = {row.id: row for row in sendable}
    own = transport is None
    transport = transport or get_transport()
    try:
        for row, error in transport.send_batch(sendable) if sendable else ():
            pending.pop(row.id, None)
            if error is None:
                sent_ids.append(row.id)
            else:
                failures[row.id] = error
    except Exception as exc:  # noqa: BLE001 - e.g. SMTP server down: retry them all later
        error = f"{type(exc).__name__}: {exc}"
        log.warning("outbox: transport failed, %d message(s) will be retried: %s",
                    len(pending), error)
        failures.update(dict.fromkeys(pending, error))
        transport.close()  # the next batch opens a fresh session
    finally:
        if own:
            transport.close()
    _record_outcome(rows, sent_ids, failures)
    metrics.count("outbox_delivery_failures", len(failures))
    log.info("outbox batch: %d sent, %d failed", len(sent_ids), len(failures),
             extra={"job": "outbox batch", "outcome": "ok" if not failures else "retry"})
    return len(claimed)


def _record_outcome(rows: list[OutboxMessage], sent_ids: list[int],
                    failures: dict[int, str]) -> None:
    now = utcnow()
    if sent_ids:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(sent_ids))
            .values(status="sent", sent_at=now, lease_until=None, last_error=None))
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    by_id = {row.id: row for row in rows}
    for row_id, error in failures.items():
        row = by_id[row_id]
        attempts = row.attempts  # read after the claim, which counted this attempt
        values: dict[str, Any] = {"last_error": error[:2000], "lease_until": None}
        if isinstance(error, Bounce):
            # The recipient's server refused the address: counted, and suppressed if hard.
            suppression.record_bounce(row.to_addr, hard=error.hard, status=str(error.code),
                                      source="smtp", campaign_id=row.campaign_id,
                                      kind=row.kind)
        if isinstance(error, Bounce) and error.hard:
            values["status"] = "failed"
        elif attempts >= max_attempts:
            values["status"] = "failed"
            log.error("outbox: message %s failed for good after %d attempts: %s",
                      row_id, attempts, error)
        else:
            values.update(status="queued", next_attempt_at=now + retry_delay(attempts))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                           .values(**values))
    db.session.commit()


def register_worker_chore(app: Flask, chore: Callable[[], object]) -> None:
    """A short, bounded task the long-running worker does after each batch (a feature's
    init_app: petitions indexes new signatures for search). Not run by `work(once=True)`,
    which is also the inline delivery after a request."""
    chores = app.extensions.setdefault("outbox_worker_chores", [])
    if chore not in chores:
        chores.append(chore)


def _run_chores() -> None:
    for chore in current_app.extensions.get("outbox_worker_chores", ()):
        try:
            chore()
        except Exception:  # a chore's failure must not stop the mail
            log.exception("outbox: worker chore %s failed", getattr(chore, "__name__", chore))
            db.session.rollback()


def work(*, once: bool = False, stop: threading.Event | None = None,
         idle_seconds: float = 1.0) -> int:
    """Deliver until stopped (or, with `once`, until nothing is due). Returns messages handled."""
    stop = stop or threading.Event()
    handled = 0
    transport = get_transport()
    try:
        while not stop.is_set():
            claimed = deliver_batch(transport=transport)
            handled += claimed
            if not once:
                _run_chores()
            if claimed == 0:
                if once:
                    break
                stop.wait(idle_seconds)
    finally:
        transport.close()
    return handled


def counts_by_status() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return dict(rows)


def retry_failed() -> int:
    """Put failed messages back in the queue (after the operator fixed the cause)."""
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=utcnow()))
    db.session.commit()
    return cast("CursorResult[Any]", result).rowcount


def prune_sent(older_than_days: int) -> int:
    """Delete sent messages older than N days: they hold addresses and personal text."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(
        cast(Table, OutboxMessage.__table__).delete().where(
            OutboxMessage.status == "sent", OutboxMessage.sent_at < cutoff))
    db.session.commit()
    return cast("CursorResult[Any]", result).rowcount


def count_by_status(*statuses: str) -> int:
    """Messages in these states (metrics read it at scrape time)."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status.in_(statuses))) or 0


def oldest_waiting_age() -> float:
    """Seconds since the oldest message still waiting was queued; 0 when none waits."""
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at))
                               .where(OutboxMessage.status.in_(("queued", "sending"))))
    return (utcnow() - oldest).total_seconds() if oldest else 0.0
