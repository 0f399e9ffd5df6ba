from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..campaigns.models import Campaign
from ..extensions import Model, db
from ..organizers.models import User
from ..util import utcnow

# What a key may be given: read signers (names, e-mails), read counts by day/country, add
# signatures (confirmed by e-mail); "trusted_import" adds signatures counted without e-mail.
SCOPES = ("read_signatures", "read_aggregates", "write_signatures")

api_key_campaigns = Table(
    "api_key_campaigns", db.metadata,
    Column("api_key_id", ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
)


class ApiKey(Model):
    """An organizer's key for the organizer API. Only a hash of the secret is stored.

    The full key is `kjc_<prefix>_<secret>`; `prefix` finds the row, `secret_hash` (SHA-256
    of the whole key; the secret is 32 random bytes, so a fast hash is enough) proves it.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # Signatures added with this key count at once, without a confirmation e-mail: for
    # partners who already confirmed their supporters' addresses themselves.
    trusted_import: Mapped[bool] = mapped_column(default=False, server_default="0")
    # What the key may do, chosen at creation (a comma-separated subset of SCOPES); the
    # trusted-import power is `trusted_import` above. Keys made before scopes had them all.
    scopes: Mapped[str] = mapped_column(String(120), default=",".join(SCOPES),
                                        server_default=",".join(SCOPES))
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    campaigns: Mapped[list[Campaign]] = relationship(
        secondary=api_key_campaigns, lazy="selectin", order_by=Campaign.slug)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None
                                            or self.expires_at > utcnow())

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)

    def allows(self, scope: str) -> bool:
        if scope == "trusted_import":
            return self.trusted_import
        return scope in self.scope_set
