from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..util import utcnow


class Organization(Model):
    """The one organization that runs this site (a single row, id 1). It signs cover letters
    and dossiers, receives replies when an organizer has no address of their own, and is
    named in the footer, the "About and contact" page and the donate page."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    # "Who we are", per interface language: {"en": "...", "ru": "..."}.
    about: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The logo as we re-encoded it (PNG, metadata stripped), never the uploaded bytes.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Demo content is marked so no one mistakes it for a real organization.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def about_for(self, lang: str) -> str:
        """The text in `lang`, else English, else any."""
        texts = self.about or {}
        return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")
