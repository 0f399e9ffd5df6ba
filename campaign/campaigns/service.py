"""Rules for campaigns: finding them, their texts, and their signature counter."""
from __future__ import annotations

import random
from collections.abc import Callable
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import select, update
from sqlalchemy.orm import defer, joinedload

from ..extensions import db
from .models import (
    COUNTER_SLOTS,
    SIGNER_DISPLAYS,
    Campaign,
    CampaignText,
    SignatureCounter,
)

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Markdown to HTML; raw HTML is not interpreted, and the output is sanitised again."""
    return nh3.clean(_markdown.render(text or ""), link_rel="noopener noreferrer nofollow")


def live_campaigns(featured: str | None = None) -> list[Campaign]:
    """Live campaigns, the `featured` one (the flagship) first, then newest first."""
    campaigns = list(db.session.scalars(
        select(Campaign).where(Campaign.status == "live").order_by(Campaign.created_at.desc())))
    return sorted(campaigns, key=lambda campaign: campaign.slug != featured)


def campaign_by_slug(slug: str, *, public: bool = True) -> Campaign | None:
    """A campaign by slug; `public` hides drafts, which only organizers see."""
    query = select(Campaign).where(Campaign.slug == slug)
    if public:
        query = query.where(Campaign.status != "draft")
    return db.session.scalar(query)


def campaign_to_sign(slug: str) -> Campaign | None:
    """A public campaign with its texts, for taking a signature: one query, without the
    count (the sign path does not show it)."""
    return db.session.scalars(
        select(Campaign).where(Campaign.slug == slug, Campaign.status != "draft")
        .options(joinedload(Campaign.texts), defer(Campaign.signature_count))
    ).unique().first()


def campaign_summary(slug: str) -> dict | None:
    """Slug, status, count and goal of a public campaign, in one small query (no texts)."""
    row = db.session.execute(
        select(Campaign.slug, Campaign.status, Campaign.signature_count, Campaign.goal)
        .where(Campaign.slug == slug, Campaign.status != "draft")).first()
    if row is None:
        return None
    return {"slug": row.slug, "status": row.status, "count": int(row.signature_count),
            "goal": row.goal}


def create_campaign(slug: str, *, goal: int, default_locale: str, status: str = "draft",
                    deadline=None) -> Campaign:
    campaign = Campaign(slug=slug, goal=goal, default_locale=default_locale, status=status,
                        deadline=deadline)
    db.session.add(campaign)
    db.session.flush()
    db.session.add_all(SignatureCounter(campaign_id=campaign.id, slot=slot, count=0)
                       for slot in range(COUNTER_SLOTS))
    return campaign


def set_text(campaign: Campaign, locale: str, *, title: str, summary: str,
             body_markdown: str, review_note: str | None = None) -> CampaignText:
    """Create or replace a language's text; `review_note` marks a translation to be checked
    (left as it is when not given)."""
    text = next((t for t in campaign.texts if t.locale == locale), None)
    if text is None:
        text = CampaignText(locale=locale, title=title, summary=summary,
                            body_markdown=body_markdown)
        campaign.texts.append(text)
    else:
        text.title, text.summary, text.body_markdown = title, summary, body_markdown
    if review_note is not None:
        text.review_note = review_note or None
    return text


def mark_text_reviewed(user, campaign: Campaign, locale: str) -> bool:
    """Clear a text's review note; False when that language has no text or no note."""
    from ..audit import service as audit

    text = next((t for t in campaign.texts if t.locale == locale), None)
    if text is None or not text.review_note:
        return False
    audit.record(user, "campaign.text_reviewed", campaign_id=campaign.id,
                 target=campaign.slug, locale=locale, note=text.review_note)
    text.review_note = None
    db.session.commit()
    return True


def add_to_count(campaign_id: int, delta: int) -> None:
    """Add `delta` to the campaign's count on a random slot (no commit: the caller's transaction).

    Each slot's row is locked only by the transactions that picked it, so concurrent
    confirmations on one campaign rarely wait for each other.
    """
    db.session.execute(
        update(SignatureCounter)
        .where(SignatureCounter.campaign_id == campaign_id,
               SignatureCounter.slot == random.randrange(COUNTER_SLOTS))
        .values(count=SignatureCounter.count + delta))


def reset_count(campaign_id: int, compute_true_count: Callable[[], int]) -> tuple[int, int]:
    """Set the counter to the true count, returning (old, new). Commits.

    The slots are locked before counting, so a confirmation running meanwhile either was
    counted and its increment is overwritten here, or waits and adds itself afterwards.
    """
    slots = db.session.scalars(
        select(SignatureCounter).where(SignatureCounter.campaign_id == campaign_id)
        .order_by(SignatureCounter.slot).with_for_update()).all()
    old = sum(slot.count for slot in slots)
    new = compute_true_count()
    if len(slots) < COUNTER_SLOTS:
        present = {slot.slot for slot in slots}
        for number in range(COUNTER_SLOTS):
            if number not in present:
                slot = SignatureCounter(campaign_id=campaign_id, slot=number, count=0)
                db.session.add(slot)
                slots.append(slot)
    for slot in slots:
        slot.count = new if slot.slot == 0 else 0
    db.session.commit()
    return old, new


def set_reader_settings(user, campaign: Campaign, *, default_display: str,
                        show_recent_signers: bool) -> None:
    """What the public page pre-selects for a signer's name and whether it lists signers."""
    from ..audit import service as audit  # audit knows no feature; imported where used

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
