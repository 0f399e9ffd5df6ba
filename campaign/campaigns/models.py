from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import Model
from ..i18n import in_language
from ..util import utcnow

CAMPAIGN_STATUSES = ("draft", "live", "closed", "delivered")
# Confirmations land on one of these slots at random, so a viral campaign does not serialise
# every confirmation on one row lock (the hot-row problem of alphagov/e-petitions #691).
COUNTER_SLOTS = 16
# How a signer's name may appear in public, least exposure last. The sign form starts on the
# campaign's `default_display`, "initial" unless organizers choose otherwise (docs/security.md).
SIGNER_DISPLAYS = ("full", "initial", "anonymous")
DEFAULT_SIGNER_DISPLAY = "initial"


class SignatureCounter(Model):
    """One slot of a campaign's signature count; the count is the sum of its slots."""

    __tablename__ = "signature_counters"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0, server_default="0")


class Campaign(Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'live', 'closed', 'delivered')", name="status"),
        CheckConstraint("goal >= 0", name="goal_positive"),
        CheckConstraint("default_display IN ('full', 'initial', 'anonymous')",
                        name="default_display"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    goal: Mapped[int] = mapped_column(default=1000)
    deadline: Mapped[datetime | None]
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None]
    # What the sign form pre-selects, and whether the page lists its latest signers at all.
    default_display: Mapped[str] = mapped_column(
        String(10), default=DEFAULT_SIGNER_DISPLAY, server_default=DEFAULT_SIGNER_DISPLAY)
    show_recent_signers: Mapped[bool] = mapped_column(default=True, server_default="1")

    texts: Mapped[list[CampaignText]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", lazy="selectin",
        order_by="CampaignText.locale")

    # Read with the campaign in one query; exact, and never a COUNT(*) over signatures.
    signature_count: Mapped[int] = column_property(
        select(func.coalesce(func.sum(SignatureCounter.count), 0))
        .where(SignatureCounter.campaign_id == id)  # noqa: A003 - the column above
        .correlate_except(SignatureCounter)
        .scalar_subquery(),
        deferred=False,
    )

    def text_for(self, locale: str) -> CampaignText | None:
        """The text in `locale`, else its fallback (`dng` -> `ru`), else in the campaign's
        default language, else any (see i18n.in_language); `text.locale` tells which."""
        found = in_language({text.locale: text for text in self.texts}, locale,
                            self.default_locale)
        return found[1] if found else None

    def body_text_for(self, locale: str) -> CampaignText | None:
        """The text whose story (body) the page shows for `locale`: as `text_for`, but a text
        with an empty body gives way to one that has a body, so the story is never blank."""
        found = in_language({text.locale: text for text in self.texts
                             if text.body_markdown.strip()}, locale, self.default_locale)
        return found[1] if found else None

    @property
    def locales(self) -> list[str]:
        return [text.locale for text in self.texts]

    @property
    def is_open(self) -> bool:
        return is_open_at(self.status, self.deadline, utcnow())

    @property
    def progress_percent(self) -> int:
        if not self.goal:
            return 100
        return min(100, int(self.signature_count * 100 / self.goal))


class CampaignText(Model):
    __tablename__ = "campaign_texts"
    __table_args__ = (UniqueConstraint("campaign_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    # Set while a translation awaits a fluent reader's check (e.g. the demo's Dungan text);
    # the console shows it until an organizer marks the text reviewed.
    review_note: Mapped[str | None] = mapped_column(String(300))

    campaign: Mapped[Campaign] = relationship(back_populates="texts")


class CampaignImage(Model):
    """A campaign's photo, as campaign/images.py wrote it again (JPEG, no metadata), never the
    uploaded bytes; a smaller copy for phones; the alt text in each of the campaign's
    languages. In the database, so every app server can serve it."""

    __tablename__ = "campaign_images"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    jpeg: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    width: Mapped[int]
    height: Mapped[int]
    small_jpeg: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    small_width: Mapped[int]
    small_height: Mapped[int]
    # Of the stored JPEG: in the image's URL, so a new photo is a new URL (cached forever).
    digest: Mapped[str] = mapped_column(String(32))
    # {locale: text}; required for every language the campaign has a text in.
    alt: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def alt_for(self, locale: str, default: str) -> tuple[str, str]:
        """(language, alt text): in `locale`, else its fallback (dng -> ru), else the default
        language's, else any; ("", "") when there is none."""
        found = in_language({code: text for code, text in (self.alt or {}).items() if text},
                            locale, default)
        return found if found else ("", "")


# The one rule for "takes signatures" (Campaign.is_open), in Python and as SQL for statements
# that check it themselves (the confirmation's conditional UPDATE, the reminder sweep).
def is_open_at(status: str, deadline: datetime | None, now: datetime) -> bool:
    return status == "live" and (deadline is None or deadline > now)


def open_clause(status: Any, deadline: Any, now: Any) -> ColumnElement[bool]:
    """is_open_at over columns (of Campaign or its Table) and a time or bind parameter."""
    return and_(status == "live", or_(deadline.is_(None), deadline > now))
