from __future__ import annotations

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class WidgetSettings(Model):
    """Which sites may frame a campaign's widget (CSP frame-ancestors). No row: none may."""

    __tablename__ = "widget_settings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    # Space-separated origins, e.g. "https://partner.org https://www.partner.org".
    allowed_origins: Mapped[str] = mapped_column(Text, default="", server_default="")
    allow_any: Mapped[bool] = mapped_column(default=False, server_default="0")

    @property
    def origins(self) -> list[str]:
        return self.allowed_origins.split()
