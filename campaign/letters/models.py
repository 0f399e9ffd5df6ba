from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..campaigns.models import Campaign
from ..extensions import Model
from ..targets.models import Target
from ..util import utcnow

TEMPLATE_KINDS = ("letter", "cover")
# unconfirmed: waits for the supporter's click; queued: in the outbox; held: over the
# target's daily cap, waits for the digest; digested: sent inside a digest; manual: the target
# has no e-mail, the supporter copied the text into its web form; unchecked: confirmed, but
# the target's address was never checked by an organizer, so it waits for that.
LETTER_STATUSES = ("unconfirmed", "queued", "held", "digested", "manual", "unchecked")


class LetterTemplate(Model):
    """An organizer's letter (or petition cover letter) for one campaign in one language.
    Subject and body are Jinja templates rendered in a sandbox."""

    __tablename__ = "letter_templates"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "locale"),
        CheckConstraint("kind IN ('letter', 'cover')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8), default="letter")
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CampaignTarget(Model):
    """A target a campaign offers to its supporters; `preselected` ones are ticked."""

    __tablename__ = "campaign_targets"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("targets.id", ondelete="CASCADE"), primary_key=True)
    preselected: Mapped[bool] = mapped_column(default=False, server_default="0")


class Letter(Model):
    """One supporter's letter to one target: who, to whom, from which template, when, status."""

    __tablename__ = "letters"
    __table_args__ = (
        CheckConstraint("status IN ('unconfirmed', 'queued', 'held', 'digested', 'manual', "
                        "'unchecked')", name="status"),
        # The daily cap counts a target's letters of the day.
        Index("ix_letters_target_status_sent", "target_id", "status", "sent_at"),
        Index("ix_letters_batch", "batch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter_templates.id", ondelete="SET NULL"))
    batch: Mapped[str] = mapped_column(String(32))  # the letters of one "send" click
    sender_name: Mapped[str] = mapped_column(String(120))
    sender_email: Mapped[str] = mapped_column(String(254))
    sender_place: Mapped[str] = mapped_column(String(120), default="")
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    target: Mapped[Target] = relationship(lazy="joined")
    campaign: Mapped[Campaign] = relationship()


class Delivery(Model):
    """The petition handed to one target: the dossier's numbers are kept so they can be
    checked later against the export's SHA-256."""

    __tablename__ = "petition_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    signature_count: Mapped[int]
    export_sha256: Mapped[str] = mapped_column(String(64))
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    target: Mapped[Target] = relationship(lazy="joined")
    campaign: Mapped[Campaign] = relationship()


class Reply(Model):
    """A target's answer, logged by an organizer and shown on the campaign's timeline."""

    __tablename__ = "target_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    received_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The summary in other languages ({"ru": "...", ...}); `summary` is the fallback.
    summaries: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    # The reply itself as a PDF (checked: magic bytes and size), linked from the timeline.
    attachment_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    # When the signers who opted into updates were told of it (once).
    notified_at: Mapped[datetime | None]

    target: Mapped[Target] = relationship(lazy="joined")

    def summary_for(self, lang: str) -> str:
        return (self.summaries or {}).get(lang) or self.summary


class LettersMode(Model):
    """Whether letters reach the real institutions (one row). Absent or `live` false: test
    mode, every letter goes to the test address. Only an admin switches it (audit log), and
    only when the deployment also sets LETTERS_LIVE=true."""

    __tablename__ = "letters_mode"

    id: Mapped[int] = mapped_column(primary_key=True)
    live: Mapped[bool] = mapped_column(default=False, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(254), default="")


# done: ready to send; sent: its delivery went out (a second click sends nothing).
DOSSIER_JOB_STATUSES = ("pending", "running", "done", "sent", "failed")


class DossierJob(Model):
    """A dossier built outside the request (a big campaign takes a while): the console asks
    for it, `flask letters dossiers` (or the outbox worker) builds it, the console offers the
    download and the delivery uses it."""

    __tablename__ = "dossier_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'done', 'sent', 'failed')",
                        name="status"),
        Index("ix_dossier_jobs_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    locale: Mapped[str] = mapped_column(String(8))
    # The institutions named on the cover page (target ids) and who signs it.
    target_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    signed_by: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(8), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_size: Mapped[int | None]
    signature_count: Mapped[int | None]
    export_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
