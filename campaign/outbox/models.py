from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..util import utcnow

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status"),
        # The worker's claim query: due messages in order.
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # ... most urgent first: the claim reads this index in order and stops at the batch
        # size, so 100,000 queued updates cost a confirmation nothing.
        Index("ix_outbox_messages_claim", "status", "priority", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "signature_confirm", for metrics
    # Lower goes first: 0 for what a person waits for (confirmations, receipts), 10 for bulk.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # The campaign the message is about (bounce counts per campaign); no foreign key: the
    # outbox knows nothing of the features that fill it.
    campaign_id: Mapped[int | None]
    to_addr: Mapped[str] = mapped_column(String(320))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # While status is "sending": when the claim lapses if the worker died.
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Rendered at delivery (outbox/rendering.py): while `render_ref` is set, subject and
    # bodies are empty and the renderer registered for `kind` builds them from the record
    # `render_ref` names (e.g. a signature), in `render_lang`, when the worker sends it.
    render_lang: Mapped[str | None] = mapped_column(String(8))
    render_ref: Mapped[int | None]

    # Loaded with the message (the worker detaches rows before sending).
    attachments: Mapped[list[OutboxAttachment]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", passive_deletes=True)


class OutboxAttachment(Model):
    """A file sent with a message (e.g. a PDF). Kept beside the message, deleted with it."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)


SUPPRESSION_SCOPES = ("all", "bulk")


class MailSuppression(Model):
    """An address nothing (scope "all": it bounced for good) or no bulk mail (scope "bulk": it
    unsubscribed from everything or complained) is sent to. Only a keyed hash of the canonical
    address is kept, so the list itself leaks nobody."""

    __tablename__ = "mail_suppressions"
    __table_args__ = (
        CheckConstraint("scope IN ('all', 'bulk')", name="scope"),
        UniqueConstraint("address_hash", "scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(20))  # hard_bounce, soft_bounce, complaint...
    campaign_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailBounce(Model):
    """One bounce or complaint: at send time (an SMTP 5xx/4xx) or read from the bounce
    mailbox (a delivery status notification or a feedback-loop report)."""

    __tablename__ = "mail_bounces"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), index=True)
    campaign_id: Mapped[int | None] = mapped_column(index=True)
    kind: Mapped[str | None] = mapped_column(String(40))   # the message's kind, if known
    hard: Mapped[bool]
    complaint: Mapped[bool] = mapped_column(default=False, server_default="0")
    status: Mapped[str] = mapped_column(String(20), default="")  # e.g. "5.1.1" or "550"
    source: Mapped[str] = mapped_column(String(8))  # smtp, dsn, arf
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
