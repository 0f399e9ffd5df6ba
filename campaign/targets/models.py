from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, String, Text
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
    # Who ticked "checked against its source" (an organizer's e-mail, kept as text).
    verified_by: Mapped[str | None] = mapped_column(String(254))
    # False for bodies whose mandate does not cover the usual case (their own notes say so):
    # a campaign never offers or ticks them unless an organizer chooses them.
    offered_by_default: Mapped[bool] = mapped_column(default=True, server_default="1")
    # {language: {"name", "description", "source"}}: the body's name in the site's languages
    # and where that name comes from (`target_names.csv`).
    translations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()] or ["en"]

    def _translated(self, lang: str) -> dict[str, str]:
        from .. import i18n

        for code in i18n.catalog_chain(lang):  # dng reads the Russian names
            if code in (self.translations or {}):
                return self.translations[code]
        return {}

    def name_in(self, lang: str) -> str:
        """The body's name in `lang` (English, as the source gives it, when we have none)."""
        return self._translated(lang).get("name") or self.name

    def name_and_language(self, lang: str) -> tuple[str, str]:
        """(name, language it is in): as `name_in`, saying which language the name came
        from (`ru` for a `dng` page, `en` when there is no translation)."""
        from .. import i18n

        for code in i18n.catalog_chain(lang):
            name = ((self.translations or {}).get(code) or {}).get("name")
            if name:
                return name, code
        return self.name, "en"

    def description_in(self, lang: str) -> str:
        return self._translated(lang).get("description") or self.role

    @property
    def by_email(self) -> bool:
        return bool(self.email) and self.active
