from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..api.models import ApiKey
from ..extensions import Model, db
from ..util import utcnow

partner_api_keys = Table(
    "partner_api_keys", db.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("api_key_id", ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
)


class Partner(Model):
    """An organization that collects signatures for a campaign: on its own site (the
    widget, from the listed origins) or through the API (with the linked keys)."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    website: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # Space-separated origins of the partner's pages that embed the widget.
    widget_origins: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Space-separated tags of the partner's campaign links (`?ref=` or `?utm_source=` ...,
    # cleaned as petitions/sources.py cleans any tag): a visit through one is credited to it.
    ref_tags: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Show "with <name>" on the widget and on the sign form of a visit through its link,
    # and offer signers there to hear from the partner.
    credited: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    api_keys: Mapped[list[ApiKey]] = relationship(secondary=partner_api_keys,
                                                  lazy="selectin")

    @property
    def origins(self) -> list[str]:
        return self.widget_origins.split()

    @property
    def refs(self) -> list[str]:
        return self.ref_tags.split()


class MapSettings(Model):
    """Whether the campaign page shows the map of signatures by country (off by default)."""

    __tablename__ = "map_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    public_map: Mapped[bool] = mapped_column(default=False, server_default="0")
