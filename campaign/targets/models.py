from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..util import utcnow

ORGANISATIONS = ("UN", "EU", "CoE", "OSCE")


class Target(Model):
    """A body letters and petitions are sent to. Addresses age: `verified_on` says when an
    organizer last checked this row against its source."""

    __tablename__ = "targets"
    __table_args__ = (
        CheckConstraint("organisation IN ('UN', 'EU', 'CoE', 'OSCE')", name="organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    short_id: Mapped[str] = mapped_column(String(60), unique=True)
    organisation: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    postal_address: Mapped[str | None] = mapped_column(Text)
    web_url: Mapped[str | None] = mapped_column(String(500))
    # Comma-separated language codes the body reads, most preferred first ("en,fr").
    languages: Mapped[str] = mapped_column(String(60), default="en", server_default="en")
    languages_source: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    source_url: Mapped[str] = mapped_column(Text)
    source_date: Mapped[str] = mapped_column(String(20), default="")  # as the source gave it
    verified_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()] or ["en"]

    @property
    def by_email(self) -> bool:
        return bool(self.email) and self.active
