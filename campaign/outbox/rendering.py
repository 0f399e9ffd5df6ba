"""Messages rendered at delivery, not in the request that queues them.

A busy request (a signature in a surge) queues only what the e-mail is about: its kind (the
template), the reader's language and the id of the record it is built from (`render_ref`),
in the caller's transaction, so the e-mail still exists exactly when the action does. The
feature that owns the record registers a renderer for the kind (`register_renderer`, from its
`init_app`); the worker calls it for the rows of a claimed batch just before sending.

A renderer gets the batch's rows of its kinds and returns {row id: Rendered}. A row it leaves
out is about a record that no longer exists (a signer who asked to be forgotten before the
e-mail went): that row is deleted, never sent. A renderer that fails leaves its rows to be
retried like a failed send.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import delete

from ..extensions import db
from .models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass
class Rendered:
    subject: str
    body_text: str
    body_html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    reply_to: str | None = None


Renderer = Callable[[list[OutboxMessage]], dict[int, Rendered]]


def register_renderer(app: Flask, kinds: Iterable[str], renderer: Renderer) -> None:
    """Build messages of these kinds at delivery with `renderer` (called from init_app)."""
    registry: dict[str, Renderer] = app.extensions.setdefault("outbox_renderers", {})
    for kind in kinds:
        registry[kind] = renderer


def render_due(rows: list[OutboxMessage]) -> tuple[list[OutboxMessage], dict[int, str]]:
    """Fill in the rows queued for rendering at delivery (detached rows, changed in place).

    Returns the rows still to be handled (those whose record is gone are deleted and left
    out) and {row id: error} for rows that could not be rendered now (retried later)."""
    waiting = [row for row in rows if row.render_ref is not None and not row.body_text]
    if not waiting:
        return rows, {}
    registry: dict[str, Renderer] = current_app.extensions.get("outbox_renderers", {})
    groups: dict[Renderer | None, list[OutboxMessage]] = {}
    for row in waiting:
        groups.setdefault(registry.get(row.kind), []).append(row)
    errors: dict[int, str] = {}
    gone: list[int] = []
    for renderer, group in groups.items():
        if renderer is None:
            errors.update(dict.fromkeys((row.id for row in group),
                                        "no renderer registered for this kind"))
            continue
        try:
            rendered = renderer(group)
        except Exception as exc:
            log.exception("outbox: rendering %d message(s) failed", len(group))
            db.session.rollback()
            errors.update(dict.fromkeys((row.id for row in group),
                                        f"rendering: {type(exc).__name__}: {exc}"))
            continue
        for row in group:
            message = rendered.get(row.id)
            if message is None:
                gone.append(row.id)
                continue
            row.subject, row.body_text = message.subject, message.body_text
            row.body_html, row.reply_to = message.body_html, message.reply_to
            row.headers = message.headers
    if gone:
        # What it was about was deleted: the e-mail goes with it (and its address with it).
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(gone))
                           .execution_options(synchronize_session=False))
        log.info("outbox: %d message(s) dropped, what they were about no longer exists",
                 len(gone))
    db.session.commit()  # also ends the renderers' read transaction
    gone_ids = set(gone)
    return [row for row in rows if row.id not in gone_ids], errors
