from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..campaigns.models import DEFAULT_SIGNER_DISPLAY, Campaign
from ..extensions import Model
from ..util import utcnow

DISPLAY_CHOICES = ("full", "initial", "anonymous")
SIGNATURE_SOURCES = ("web", "widget", "api", "paper")


class SignatureStatus(StrEnum):
    """The stored states of a signature. Only petitions/lifecycle.py moves a signature
    between them (and removes it); see docs/architecture.md for the diagram."""

    PENDING = "pending"          # signed, confirmation e-mail sent, not counted
    CONFIRMED = "confirmed"      # the address confirmed (or a trusted import): counted
    INVALIDATED = "invalidated"  # set aside by an organizer or a flood check, with a reason


SIGNATURE_STATUSES = tuple(status.value for status in SignatureStatus)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Signature(Model):
    __tablename__ = "signatures"
    __table_args__ = (
        # One signature per person per campaign, whatever spelling of the address they use.
        UniqueConstraint("campaign_id", "email_key"),
        CheckConstraint(_one_of("status", SIGNATURE_STATUSES), name="status"),
        CheckConstraint("display IN ('full', 'initial', 'anonymous')", name="display"),
        CheckConstraint(_one_of("source", SIGNATURE_SOURCES), name="source"),
        # Recent public signers, and the organizer's table, newest first.
        Index("ix_signatures_campaign_status_confirmed", "campaign_id", "status",
              "confirmed_at"),
        # The organizer's table pages by id (keyset), whatever the status filter.
        Index("ix_signatures_campaign_id_id", "campaign_id", "id"),
        # The campaign page's newest public comments: only signatures with a comment (without
        # it the query walks every confirmed signature at 1M rows, migration f1c8a3d5e7b2).
        Index("ix_signatures_public_comments", "campaign_id", "status", "confirmed_at", "id",
              sqlite_where=text("comment IS NOT NULL"),
              postgresql_where=text("comment IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))       # as given, domain normalised
    email_key: Mapped[str] = mapped_column(String(254))   # canonical form, for uniqueness
    country: Mapped[str] = mapped_column(String(2))       # ISO 3166-1 alpha-2
    locale: Mapped[str] = mapped_column(String(8))        # language the signer used
    comment: Mapped[str | None] = mapped_column(Text)
    comment_hidden: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Pre-moderated campaigns show a comment only once approved (set by an organizer).
    comment_approved_at: Mapped[datetime | None]
    # An organizer hid the public name (abuse, a signer at risk): the signature still counts.
    name_hidden: Mapped[bool] = mapped_column(default=False, server_default="0")
    display: Mapped[str] = mapped_column(String(10), default=DEFAULT_SIGNER_DISPLAY)
    updates_opt_in: Mapped[bool] = mapped_column(default=False, server_default="0")
    updates_opt_in_at: Mapped[datetime | None]
    # Written only by petitions/lifecycle.py (a test scans the code for other writers).
    status: Mapped[str] = mapped_column(String(12), default=SignatureStatus.PENDING.value,
                                        server_default=SignatureStatus.PENDING.value)
    invalidation_reason: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(8), default="web", server_default="web")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_emailed_at: Mapped[datetime | None]  # throttles repeat e-mails to one address
    # The one reminder to confirm (`flask petitions remind`): set once, never sent again.
    reminded_at: Mapped[datetime | None]
    # HMAC of the signer's network (IPv4 /24, IPv6 /48) under a server key: enough to see a
    # flood from one network, never the address itself.
    ip_hash: Mapped[str | None] = mapped_column(String(32))
    # Paper signatures: the uploaded file they came from.
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"))
    # Where the signature came from (campaign/sources): the partner credited (by the
    # widget's origin or the API key), the partner's site, the key, and the campaign link's
    # `ref` tag. Nothing about the signer: an origin is a site, a ref a short campaign tag.
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"))
    source_origin: Mapped[str | None] = mapped_column(String(255))
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"))
    ref: Mapped[str | None] = mapped_column(String(40))
    # The signer ticked "I want to hear from <partner>" (only offered by that partner).
    partner_opt_in: Mapped[bool] = mapped_column(default=False, server_default="0")

    campaign: Mapped[Campaign] = relationship()

    @property
    def public_name(self) -> str | None:
        """The name as the signer chose to be shown; None when anonymous or hidden."""
        if self.display == "anonymous" or self.name_hidden:
            return None
        if self.display == "initial":
            parts = self.full_name.split()
            if not parts:
                return None
            return " ".join([parts[0]] + [f"{part[0]}." for part in parts[1:]])
        return self.full_name


# --- custom signature fields (per campaign) and comment moderation -------------------------

FIELD_KINDS = ("text", "number", "choice", "checkbox")
FIELD_PRIVACY = ("public", "organizers", "delivery")  # "delivery": wiped when delivered


class SignatureField(Model):
    """A question a campaign adds to its sign form. Labels are per language, as JSON
    {"en": "...", "ru": "..."}; a choice field's options are [{"value": "...", "labels":
    {...}}]."""

    __tablename__ = "signature_fields"
    __table_args__ = (
        UniqueConstraint("campaign_id", "key"),
        CheckConstraint("kind IN ('text', 'number', 'choice', 'checkbox')", name="kind"),
        CheckConstraint("privacy IN ('public', 'organizers', 'delivery')", name="privacy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False, server_default="0")
    privacy: Mapped[str] = mapped_column(String(12), default="organizers",
                                         server_default="organizers")
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class SignatureFieldValue(Model):
    """One signer's answer to one custom field; goes with the signature (ON DELETE
    CASCADE, the signer's deletion link) or with the field."""

    __tablename__ = "signature_field_values"

    signature_id: Mapped[int] = mapped_column(
        ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True)
    field_id: Mapped[int] = mapped_column(
        ForeignKey("signature_fields.id", ondelete="CASCADE"), primary_key=True, index=True)
    value: Mapped[str] = mapped_column(Text)


class PetitionSettings(Model):
    """A campaign's petition options that belong to petitions, not to campaigns."""

    __tablename__ = "petition_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    # Comments are shown publicly only once an organizer approved them.
    comments_premoderated: Mapped[bool] = mapped_column(default=False, server_default="0")
