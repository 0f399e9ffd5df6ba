"""Rules for creating, translating and moving campaigns through their life."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from .. import i18n
from ..audit import service as audit
from ..campaigns import service as campaigns
from ..campaigns.models import SIGNER_DISPLAYS, Campaign
from ..extensions import db
from ..util import utcnow
from . import service as accounts
from .models import User

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")

# Which status may follow which. A closed campaign may be reopened (e.g. a deadline moved);
# a delivered one is history.
TRANSITIONS = {
    "draft": ("live",),
    "live": ("closed",),
    "closed": ("live", "delivered"),
    "delivered": (),
}
TEXT_FIELDS = ("title", "summary", "body_markdown")


class EditError(Exception):
    """A rule refused the change; str() is a key the view turns into a message."""


def create(user: User, slug: str, *, goal: int, default_locale: str,
           deadline: datetime | None = None) -> Campaign:
    _check_slug(slug)
    if default_locale not in i18n.CONTENT_LANGUAGES:
        raise EditError("language")
    campaign = campaigns.create_campaign(slug, goal=goal, default_locale=default_locale,
                                         deadline=deadline)
    accounts.add_member(campaign.id, user.id)  # the creator becomes a member
    audit.record(user, "campaign.create", campaign_id=campaign.id, target=slug)
    db.session.commit()
    return campaign


def copy(user: User, source: Campaign, slug: str) -> Campaign:
    """A new draft campaign started from `source` in one transaction: its texts in every
    language, goal and default language, and what features register (letter templates,
    targets, donation and widget settings). Never signatures, updates or letters: those
    belong to the people of the first campaign. The deadline is left for the organizer."""
    from . import registry

    _check_slug(slug)
    campaign = campaigns.create_campaign(slug, goal=source.goal,
                                         default_locale=source.default_locale)
    for text in source.texts:
        campaigns.set_text(campaign, text.locale, title=text.title, summary=text.summary,
                           body_markdown=text.body_markdown)
    copied = sorted(registry.copiers())
    for name in copied:
        registry.copiers()[name](source, campaign)
    accounts.add_member(campaign.id, user.id)
    audit.record(user, "campaign.copy", campaign_id=campaign.id, target=slug,
                 source=source.slug, languages=sorted(t.locale for t in source.texts),
                 parts=copied)
    db.session.commit()
    return campaign


def _check_slug(slug: str, campaign_id: int | None = None) -> None:
    if not SLUG_RE.match(slug or ""):
        raise EditError("slug_format")
    other = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
    if other is not None and other != campaign_id:
        raise EditError("slug_taken")


def update_settings(user: User, campaign: Campaign, *, slug: str, goal: int, default_locale: str,
                    deadline: datetime | None) -> None:
    """Change the settings; a campaign's address is fixed once it has been public."""
    changes = {}
    if slug != campaign.slug:
        if campaign.status != "draft":
            raise EditError("slug_fixed")
        _check_slug(slug, campaign.id)
        changes["slug"] = [campaign.slug, slug]
        campaign.slug = slug
    if default_locale not in i18n.CONTENT_LANGUAGES:
        raise EditError("language")
    if goal < 0:
        raise EditError("goal")
    for name, value in (("goal", goal), ("default_locale", default_locale),
                        ("deadline", deadline)):
        if getattr(campaign, name) != value:
            changes[name] = [str(getattr(campaign, name)), str(value)]
            setattr(campaign, name, value)
    if changes:
        audit.record(user, "campaign.settings", campaign_id=campaign.id,
                     target=campaign.slug, changes=changes)
    db.session.commit()


def save_text(user: User, campaign: Campaign, locale: str, *, title: str, summary: str,
              body_markdown: str) -> None:
    if locale not in i18n.CONTENT_LANGUAGES:
        raise EditError("language")
    text = next((t for t in campaign.texts if t.locale == locale), None)
    if not title.strip():
        if text is not None and not summary.strip() and not body_markdown.strip():
            if locale == campaign.default_locale and campaign.status != "draft":
                raise EditError("default_text_needed")
            campaign.texts.remove(text)  # emptied: the language is dropped
            audit.record(user, "campaign.text_remove", campaign_id=campaign.id,
                         target=campaign.slug, locale=locale)
            db.session.commit()
            return
        raise EditError("title_needed")
    campaigns.set_text(campaign, locale, title=title.strip(), summary=summary.strip(),
                       body_markdown=body_markdown)
    audit.record(user, "campaign.text", campaign_id=campaign.id, target=campaign.slug,
                 locale=locale)
    db.session.commit()


def missing_by_language(campaign: Campaign) -> dict[str, list[str]]:
    """For each content language, which text fields are still empty."""
    by_locale = {t.locale: t for t in campaign.texts}
    missing = {}
    for code in i18n.CONTENT_LANGUAGES:
        text = by_locale.get(code)
        missing[code] = [f for f in TEXT_FIELDS if not (text and getattr(text, f).strip())]
    return missing


def allowed_transitions(campaign: Campaign) -> tuple[str, ...]:
    return TRANSITIONS[campaign.status]


def transition(user: User, campaign: Campaign, target: str) -> None:
    if target not in TRANSITIONS.get(campaign.status, ()):
        raise EditError("transition")
    if target == "live":
        default = next((t for t in campaign.texts if t.locale == campaign.default_locale), None)
        if default is None or not default.title.strip():
            raise EditError("default_text_needed")
        if campaign.deadline is not None and campaign.deadline <= utcnow():
            raise EditError("deadline_past")
    if target == "delivered":
        campaign.delivered_at = utcnow()
    audit.record(user, "campaign.status", campaign_id=campaign.id, target=campaign.slug,
                 changes=[campaign.status, target])
    campaign.status = target
    db.session.commit()


def add_member_by_email(user: User, campaign: Campaign, email: str) -> None:
    member = accounts.user_by_email(email)
    if member is None or not member.is_active:
        raise EditError("no_such_user")
    accounts.add_member(campaign.id, member.id)
    audit.record(user, "campaign.member_add", campaign_id=campaign.id, target=member.email)
    db.session.commit()


def mark_text_reviewed(user: User, campaign: Campaign, locale: str) -> bool:
    """Clear a text's review note; False when that language has no text or no note."""
    text = next((t for t in campaign.texts if t.locale == locale), None)
    if text is None or not text.review_note:
        return False
    audit.record(user, "campaign.text_reviewed", campaign_id=campaign.id,
                 target=campaign.slug, locale=locale, note=text.review_note)
    text.review_note = None
    db.session.commit()
    return True


def set_reader_settings(user: User, campaign: Campaign, *, default_display: str,
                        show_recent_signers: bool) -> None:
    """What the public page pre-selects for a signer's name and whether it lists signers."""
    if default_display not in SIGNER_DISPLAYS:
        raise ValueError(default_display)
    changes = {}
    for name, value in (("default_display", default_display),
                        ("show_recent_signers", show_recent_signers)):
        if getattr(campaign, name) != value:
            changes[name] = [str(getattr(campaign, name)), str(value)]
            setattr(campaign, name, value)
    if changes:
        audit.record(user, "campaign.reader_settings", campaign_id=campaign.id,
                     target=campaign.slug, changes=changes)
    db.session.commit()


def set_photo(user: object, campaign: Campaign, data: bytes | None, alt: dict[str, str]) -> None:
    """A new photo and/or its alt texts (campaigns/photo.py checks and re-encodes it), audited;
    raises PhotoProblem with nothing written."""
    from ..campaigns import photo

    try:
        row = photo.save(campaign, data, alt, commit=False)
    except photo.PhotoProblem:
        db.session.rollback()
        raise
    audit.record(user, "campaign.photo", campaign_id=campaign.id, target=campaign.slug,
                 changes={"photo": row.digest if data is not None else None,
                          "alt": sorted(alt)})
    db.session.commit()


def remove_photo(user: object, campaign: Campaign) -> bool:
    from ..campaigns import photo

    if not photo.remove(campaign.id):
        return False
    audit.record(user, "campaign.photo_removed", campaign_id=campaign.id, target=campaign.slug)
    db.session.commit()
    return True
