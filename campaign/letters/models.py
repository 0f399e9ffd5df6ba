from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
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
# has no e-mail, the supporter copied the text into its web form.
LETTER_STATUSES = ("unconfirmed", "queued", "held", "digested", "manual")


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
        CheckConstraint("status IN ('unconfirmed', 'queued', 'held', 'digested', 'manual')",
                        name="status"),
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

    target: Mapped[Target] = relationship(lazy="joined")
