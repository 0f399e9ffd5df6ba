"""Milestones: steps of a campaign's count that tell the organizers when they are crossed,
and the goal raised with a note to readers.

The crossing check runs where the count rises (petitions/lifecycle.py calls the listeners
registered by init_app), in the transaction that raised it, or right after a confirmation
link's click (which commits on its own) when that click's statement found a step reached
(`steps_reached`): one conditional UPDATE that claims every unreached step at or under the
count, and the organizers' e-mail in the same transaction. Under concurrent confirmations only one
transaction can set a step's `reached_at` (the other waits on the row and then finds it set),
so the organizers' e-mail is queued once. A step crossed by two racing confirmations that each
saw only their own increment is claimed by the next confirmation (`threshold <= count`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Table, bindparam, exists, select, update

from .. import emails, i18n
from ..audit import service as audit
from ..campaigns.models import Campaign
from ..extensions import db
from ..organizers.service import members
from ..petitions.console import updates
from ..petitions.lifecycle import count_now
from ..prepared import Prepared
from ..util import utcnow
from .models import GoalNote, Milestone

if TYPE_CHECKING:
    from ..organizers.models import CampaignUpdate, User

MAX_MILESTONES = 20


class MilestoneError(ValueError):
    """Steps that are not positive whole numbers, or too many."""


def parse_thresholds(text: str) -> list[int]:
    """`1,000 / 10 000; 50000` -> [1000, 10000, 50000]; raises MilestoneError."""
    values = []
    for part in text.replace(";", "/").replace("\n", "/").split("/"):
        digits = part.strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
        digits = digits.replace(".", "").replace("'", "")
        if not digits:
            continue
        if not digits.isdigit() or not 0 < int(digits) <= 1_000_000_000:
            raise MilestoneError(part.strip()[:40])
        values.append(int(digits))
    values = sorted(set(values))
    if len(values) > MAX_MILESTONES:
        raise MilestoneError("too many")
    return values


def milestones(campaign_id: int) -> list[Milestone]:
    return list(db.session.scalars(select(Milestone).where(
        Milestone.campaign_id == campaign_id).order_by(Milestone.threshold)))


def set_milestones(user: User, campaign: Campaign, thresholds: list[int]) -> None:
    """Keep the listed steps (a kept step keeps its reached date), drop the others. Steps
    already under the count are marked reached now, without an e-mail: nothing was crossed."""
    existing = {m.threshold: m for m in milestones(campaign.id)}
    for threshold, milestone in existing.items():
        if threshold not in thresholds:
            db.session.delete(milestone)
    count = campaign.signature_count
    for threshold in thresholds:
        if threshold not in existing:
            db.session.add(Milestone(campaign_id=campaign.id, threshold=threshold,
                                     reached_at=utcnow() if threshold <= count else None))
    audit.record(user, "milestones.set", campaign_id=campaign.id,
                 target=",".join(map(str, thresholds)))
    db.session.commit()


def check_crossings(campaign_id: int) -> list[int]:
    """Claim the steps the count has reached and queue the organizers' e-mail for each (the
    caller's transaction). Returns the thresholds claimed here. One UPDATE when nothing is
    crossed: this runs on every confirmation."""
    claimed = [threshold for (threshold,) in _CLAIM_REACHED.all(
        {"m_campaign": campaign_id, "m_now": utcnow()})]
    if claimed:
        _tell_organizers(campaign_id, sorted(claimed))
    return sorted(claimed)


# Built once (it runs on every confirmation): Core, on the table; the count is read inside
# the statement, so the confirmation's own uncommitted increment counts.
_MILESTONES = cast(Table, Milestone.__table__)
_CLAIM_REACHED = Prepared(
    update(_MILESTONES)
    .where(_MILESTONES.c.campaign_id == bindparam("m_campaign"),
           _MILESTONES.c.reached_at.is_(None),
           _MILESTONES.c.threshold <= count_now(bindparam("m_campaign")))
    .values(reached_at=bindparam("m_now", type_=_MILESTONES.c.reached_at.type))
    .returning(_MILESTONES.c.threshold))


def steps_reached(campaign_id: ColumnElement[int], count: ColumnElement[int]
                  ) -> ColumnElement[bool]:
    """`check_crossings` has work at `count`: an unreached step at or under it (SQL, asked
    by a confirmation's own statement, so most confirmations run no milestone statement)."""
    return exists().where(_MILESTONES.c.campaign_id == campaign_id,
                          _MILESTONES.c.reached_at.is_(None),
                          _MILESTONES.c.threshold <= count)


def _tell_organizers(campaign_id: int, thresholds: list[int]) -> None:
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    lang = campaign.default_locale
    text = campaign.text_for(lang)
    for user in members(campaign_id):
        for threshold in thresholds:
            emails.queue_email(
                "milestone_reached", to=user.email, lang=lang, campaign=campaign,
                threshold=threshold, campaign_title=text.title if text else campaign.slug,
                console_url=emails.external_url("organizers.milestones_page",
                                                slug=campaign.slug))


def reached(campaign_id: int) -> list[Milestone]:
    return [m for m in milestones(campaign_id) if m.reached_at is not None]


def raise_goal(user: User, campaign: Campaign, goal: int, notes: dict[str, str]) -> None:
    """Set a new goal (higher than the count) and the note shown with it, per language;
    a blank note removes that language's note."""
    if goal <= campaign.signature_count or goal > 1_000_000_000:
        raise MilestoneError("goal")
    old = campaign.goal
    campaign.goal = goal
    existing = {n.locale: n for n in db.session.scalars(
        select(GoalNote).where(GoalNote.campaign_id == campaign.id))}
    for code, note in notes.items():
        note = (note or "").strip()[:500]
        if code not in i18n.CONTENT_LANGUAGES:
            continue
        if note and code in existing:
            existing[code].text, existing[code].created_at = note, utcnow()
        elif note:
            db.session.add(GoalNote(campaign_id=campaign.id, locale=code, text=note))
        elif code in existing:
            db.session.delete(existing[code])
    audit.record(user, "goal.raise", campaign_id=campaign.id, target=f"{old} -> {goal}")
    db.session.commit()


def goal_note(campaign_id: int, lang: str) -> GoalNote | None:
    """The note in the page's language (Dungan pages read the Russian one), else none: a
    note is never shown in a language the page is not in."""
    notes = {n.locale: n for n in db.session.scalars(
        select(GoalNote).where(GoalNote.campaign_id == campaign_id))}
    for code in (lang, "ru" if lang == "dng" else None):
        if code and code in notes:
            return notes[code]
    return None


def notes(campaign_id: int) -> dict[str, str]:
    return {n.locale: n.text for n in db.session.scalars(
        select(GoalNote).where(GoalNote.campaign_id == campaign_id))}


def draft_update(user: User, campaign: Campaign, threshold: int) -> CampaignUpdate:
    """An update draft announcing the step, in every language of the campaign, for the
    organizers to edit and send (petitions' updates)."""
    texts: dict[str, dict[str, str]] = {}
    for code in campaign.locales:
        text = campaign.text_for(code)
        with i18n.force_language(code):
            number = format_decimal(threshold)
            texts[code] = {
                "subject": _("We reached %(count)s signatures", count=number),
                "body": _("Thank you: “%(title)s” has %(count)s signatures. Please share "
                          "the petition so we reach the next step.",
                          title=text.title if text else campaign.slug, count=number)}
    return updates.save(user, campaign, texts)
