from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..outbox.models import OutboxMessage
from ..util import utcnow


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('organizer', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="organizer")
    is_active: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Invited accounts have no usable password until the invitation is accepted.
    invited_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Lock-out after repeated wrong passwords (counted per account, not per address).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    # TOTP two-factor: the base32 secret once set up; `totp_required` forces set-up.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_required: Mapped[bool] = mapped_column(default=False, server_default="0")
    totp_last_step: Mapped[int | None]  # the last accepted time step: a code works once
    # The secret being set up, kept until confirmed so reloading the page shows the same one.
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    # Wrong second-factor codes in a row, whatever the source address; a lock after a few.
    failed_2fa: Mapped[int] = mapped_column(default=0, server_default="0")
    totp_locked_until: Mapped[datetime | None]
    # Sessions carry this number; raising it ends every session of the account at once
    # (logout, password change or reset, 2FA change, disabling, "log out everywhere").
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        # Flask-Login keeps this in the session: an old generation no longer loads the user.
        return f"{self.id}:{self.session_generation}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class RecoveryCode(Model):
    """A single-use two-factor recovery code; only its SHA-256 is kept (80 random bits)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class CampaignMember(Model):
    """An organizer's membership of a campaign: what they may see and change."""

    __tablename__ = "campaign_members"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class ImportBatch(Model):
    """One uploaded file of paper (offline) signatures."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignUpdate(Model):
    """News for supporters who opted in; `texts` maps a language to {subject, body}."""

    __tablename__ = "campaign_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    sent_count: Mapped[int] = mapped_column(default=0, server_default="0")
    note: Mapped[str | None] = mapped_column(Text)
    # Who gets it: {"languages": [...], "countries": [...], "sources": [...]}; empty = all.
    segment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scheduled_for: Mapped[datetime | None] = mapped_column(index=True)  # naive UTC
    test_sent_at: Mapped[datetime | None]


class CampaignUpdateRecipient(Model):
    """One row per signer an update was queued for. The unique key makes a second send (a
    double click, two workers on a scheduled update) unable to mail anyone twice, and the
    outbox row gives the report its queued / sent / failed numbers."""

    __tablename__ = "campaign_update_recipients"
    __table_args__ = (UniqueConstraint("update_id", "signature_id",
                                       name="uq_update_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_updates.id", ondelete="CASCADE"), index=True)
    # SET NULL: a signer who deletes their data leaves only an anonymous count behind.
    signature_id: Mapped[int | None] = mapped_column(
        ForeignKey("signatures.id", ondelete="SET NULL"))
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(8))
    # Set with the message object, so a batch of recipients is inserted in one flush.
    outbox: Mapped[OutboxMessage | None] = relationship()
