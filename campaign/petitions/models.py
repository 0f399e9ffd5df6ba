from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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
    display: Mapped[str] = mapped_column(String(10), default="full")
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
        """The name as the signer chose to be shown; None when anonymous."""
        if self.display == "anonymous":
            return None
        if self.display == "initial":
            parts = self.full_name.split()
            if not parts:
                return None
            return " ".join([parts[0]] + [f"{part[0]}." for part in parts[1:]])
        return self.full_name
