"""Rules for campaigns: finding them and their texts. The signature count is read from
the model (Campaign.signature_count); only petitions/lifecycle.py moves it."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import select

from ..extensions import db
from .models import Campaign, CampaignText

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


def campaign_summary(slug: str) -> dict[str, Any] | None:
    """Slug, status, count and goal of a public campaign, in one small query (no texts)."""
    row = db.session.execute(
        select(Campaign.slug, Campaign.status, Campaign.signature_count, Campaign.goal)
        .where(Campaign.slug == slug, Campaign.status != "draft")).first()
    if row is None:
        return None
    return {"slug": row.slug, "status": row.status, "count": int(row.signature_count),
            "goal": row.goal}


def create_campaign(slug: str, *, goal: int, default_locale: str, status: str = "draft",
                    deadline: datetime | None = None) -> Campaign:
    campaign = Campaign(slug=slug, goal=goal, default_locale=default_locale, status=status,
                        deadline=deadline)
    db.session.add(campaign)
    db.session.flush()  # the id; its counter slots appear with its first count (petitions)
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
