"""Rate-limit settings admins change in the console, without a redeploy (like e-petitions).

One row (id 1). A column left empty means "the deployment's default" (the RATELIMIT_*
setting); the allow-list holds networks (CIDR, one per line) exempt from the per-address and
per-network limits, e.g. a mobile carrier's carrier-grade NAT range during a surge.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..util import utcnow


class LimitSettings(Model):
    __tablename__ = "limit_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    sign_per_address: Mapped[str | None] = mapped_column(String(100))
    sign_per_network: Mapped[str | None] = mapped_column(String(100))
    sign_per_email: Mapped[str | None] = mapped_column(String(100))
    sign_per_domain: Mapped[str | None] = mapped_column(String(100))
    allowed_networks: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
