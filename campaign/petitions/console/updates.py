"""News to supporters: written per language in Markdown, previewed, test-sent to the organizer,
confirmed with the count per language, then sent (now or at a set UTC time) through the outbox
to confirmed signers who asked for news, each in their own language (else the campaign's
default language). Addresses on the suppression list (bounced, complained, unsubscribed from
everything) are left out of the audience and of the count the organizer confirms.

An audience may also be narrowed to one answer of a custom signature field (a choice, a
ticked or unticked box, or a text or number equal to what the organizer typed). Only fields of
the "public" and "organizers only" privacy classes qualify: a "deleted at delivery" field holds
data kept for the petition's delivery, not for mailing, and its answers are gone once the
petition is delivered, so a segment on it (above all a scheduled one) would quietly reach
nobody, or everyone for "box not ticked". A segment naming a field that is gone or no longer
qualifies reaches nobody, never everyone.

A send happens once: `sent_at` is claimed with a conditional UPDATE, and each recipient is a
row under a unique (update, signature) key, so a double click or two workers on one scheduled
update cannot mail anyone twice."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask_babel import gettext
from sqlalchemy import CursorResult, Float, Select, and_, case, exists, false, func, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from ... import emails, i18n
from ...audit import service as audit
from ...extensions import db
from ...organizers.models import CampaignUpdate, CampaignUpdateRecipient, User
from ...outbox import suppression
from ...outbox.models import OutboxMessage
from ...util import utcnow
from ..custom_fields import CHECKED, fields_of
from ..lifecycle import counted
from ..models import Signature, SignatureField, SignatureFieldValue
from ..service import signer_links
from . import update_markdown

if TYPE_CHECKING:
    from ...campaigns.models import Campaign

BATCH = 500
_T = TypeVar("_T")


class UpdateError(Exception):
    pass


# Privacy classes whose answers organizers may use to choose an update's audience.
SEGMENT_PRIVACY = ("public", "organizers")
CHECKBOX_VALUES = ("yes", "no")


def segment_fields(campaign_id: int) -> list[SignatureField]:
    """The campaign's fields an update's audience may be narrowed by."""
    return [f for f in fields_of(campaign_id) if f.privacy in SEGMENT_PRIVACY]


def field_value_error(definition: SignatureField, value: str) -> str | None:
    """Why `value` cannot be matched against answers to `definition` (None: it can)."""
    if definition.kind == "checkbox":
        return None if value in CHECKBOX_VALUES else "choice"
    if definition.kind == "choice":
        return None if value in {c["value"] for c in definition.choices} else "choice"
    if not value:
        return "empty"
    if definition.kind == "number":
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return "number"
        if number != number or number in (float("inf"), float("-inf")):
            return "number"
    return None


def _field_condition(campaign_id: int, key: str, value: str) -> ColumnElement[bool]:
    """Signers whose answer to the field `key` is `value` (see the module's note)."""
    definition = next((f for f in segment_fields(campaign_id) if f.key == key), None)
    if definition is None or field_value_error(definition, value):
        return false()
    answer = SignatureFieldValue
    answered = and_(answer.signature_id == Signature.id, answer.field_id == definition.id)
    if definition.kind == "checkbox":
        ticked = exists().where(answered, answer.value == CHECKED)
        return ticked if value == "yes" else ~ticked
    if definition.kind == "number":
        # Numbers compare as numbers (5 = 5.0 = 5,0); the CASE keeps the cast to this
        # field's answers, which were validated as numbers, whatever order the planner picks.
        number = sql_cast(case((answer.field_id == definition.id, answer.value)), Float)
        return exists().where(answered, number == float(value.replace(",", ".")))
    return exists().where(answered, answer.value == value)


@dataclass(frozen=True)
class Segment:
    """Who gets an update among opted-in signers; an empty list means no restriction.
    `field`/`value`: only signers whose answer to that custom field (by key) is `value`
    ("yes"/"no" for a checkbox)."""

    languages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    field: str = ""
    value: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Segment:
        data = data or {}
        languages, countries, sources = (tuple(sorted(set(data.get(key) or ())))
                                         for key in ("languages", "countries", "sources"))
        field_key = str(data.get("field") or "")
        return cls(languages, countries, sources, field=field_key,
                   value=str(data.get("value") or "") if field_key else "")

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {key: list(value) for key, value in
                       (("languages", self.languages), ("countries", self.countries),
                        ("sources", self.sources)) if value}
        if self.field:
            found.update(field=self.field, value=self.value)
        return found

    def conditions(self, campaign_id: int) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.languages:
            found.append(Signature.locale.in_(self.languages))
        if self.countries:
            found.append(Signature.country.in_(self.countries))
        if self.sources:
            found.append(Signature.source.in_(self.sources))
        if self.field:
            found.append(_field_condition(campaign_id, self.field, self.value))
        return found


@dataclass
class Audience:
    """What the confirm step shows: how many get the update, in which language."""

    by_language: Counter[str] = field(default_factory=Counter)
    suppressed: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_language.values())


def save(user: User, campaign: Campaign, texts: dict[str, dict[str, str]],
         update_id: int | None = None) -> CampaignUpdate:
    """Create or change a draft; `texts` maps a language to {subject, body}; blanks dropped.
    Bodies keep the Markdown as typed (line ends normalised)."""
    clean = {code: {"subject": t["subject"].strip()[:200],
                    "body": update_markdown.normalise(t["body"]).strip()}
             for code, t in texts.items()
             if code in i18n.CONTENT_LANGUAGES and t.get("subject", "").strip()
             and t.get("body", "").strip()}
    if campaign.default_locale not in clean:
        raise UpdateError("default_language")
    if update_id is None:
        item: CampaignUpdate | None = CampaignUpdate(
            campaign_id=campaign.id, user_id=user.id, texts=clean, segment={})
        db.session.add(item)
    else:
        item = get(campaign.id, update_id)
        if item is None or item.sent_at is not None:
            raise UpdateError("sent")
        item.texts = clean
    assert item is not None
    db.session.flush()
    audit.record(user, "update.save", campaign_id=campaign.id, target=f"update {item.id}")
    db.session.commit()
    return item


def get(campaign_id: int, update_id: int) -> CampaignUpdate | None:
    return db.session.scalar(select(CampaignUpdate).where(
        CampaignUpdate.id == update_id, CampaignUpdate.campaign_id == campaign_id))


def listing(campaign_id: int) -> list[CampaignUpdate]:
    return list(db.session.scalars(select(CampaignUpdate).where(
        CampaignUpdate.campaign_id == campaign_id).order_by(CampaignUpdate.id.desc())))


def status(item: CampaignUpdate) -> str:
    if item.sent_at is not None:
        return "sent"
    return "scheduled" if item.scheduled_for is not None else "draft"


# --- audience ------------------------------------------------------------------------------

def _subscribers(campaign_id: int, segment: Segment) -> Select[Signature]:
    return select(Signature).where(Signature.campaign_id == campaign_id, counted(),
                                   Signature.updates_opt_in.is_(True),
                                   *segment.conditions(campaign_id))


def audience(campaign_id: int) -> int:
    """Opted-in signers (before any segment or suppression): the page's headline number."""
    return db.session.scalar(select(func.count()).select_from(
        _subscribers(campaign_id, Segment()).subquery())) or 0


def segment_choices(campaign_id: int) -> dict[str, list[tuple[str, int]]]:
    """The languages, countries and sources present among opted-in signers, with counts."""
    base = _subscribers(campaign_id, Segment()).subquery()
    choices = {}
    for key, column in (("languages", base.c.locale), ("countries", base.c.country),
                        ("sources", base.c.source)):
        choices[key] = [(value, count) for value, count in db.session.execute(
            select(column, func.count()).group_by(column).order_by(column))]
    return choices


def field_value_counts(campaign_id: int) -> dict[str, dict[str, int]]:
    """{field key: {answer: opted-in signers}} for the choice and checkbox fields an
    audience may use ("no" of a checkbox: those who did not tick it)."""
    listed = [f for f in segment_fields(campaign_id) if f.kind in ("choice", "checkbox")]
    if not listed:
        return {}
    base = _subscribers(campaign_id, Segment()).with_only_columns(Signature.id).subquery()
    rows = db.session.execute(
        select(SignatureFieldValue.field_id, SignatureFieldValue.value, func.count())
        .join(base, base.c.id == SignatureFieldValue.signature_id)
        .where(SignatureFieldValue.field_id.in_([f.id for f in listed]))
        .group_by(SignatureFieldValue.field_id, SignatureFieldValue.value)).all()
    by_id: dict[int, dict[str, int]] = {}
    for field_id, value, count in rows:
        by_id.setdefault(field_id, {})[value] = count
    everyone = audience(campaign_id)
    result = {}
    for definition in listed:
        counts = by_id.get(definition.id, {})
        if definition.kind == "checkbox":
            ticked = counts.get(CHECKED, 0)
            result[definition.key] = {"yes": ticked, "no": everyone - ticked}
        else:
            result[definition.key] = {c["value"]: counts.get(c["value"], 0)
                                      for c in definition.choices}
    return result


def _language_for(signature_locale: str, item: CampaignUpdate, campaign: Campaign) -> str:
    found = i18n.in_language(item.texts, signature_locale, campaign.default_locale)
    return found[0] if found else campaign.default_locale


def _batches(rows: Iterable[_T], size: int = BATCH) -> Iterator[list[_T]]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def _deliverable(signatures: list[Any]) -> tuple[list[Any], int]:
    """Those not on the suppression list for bulk mail, and how many were left out."""
    blocked = suppression.suppressed_scopes([s.email for s in signatures])
    keep = [s for s in signatures
            if not ({"all", "bulk"} & blocked.get(s.email, set()))]
    return keep, len(signatures) - len(keep)


def count_audience(campaign: Campaign, item: CampaignUpdate, segment: Segment) -> Audience:
    result = Audience()
    rows = db.session.execute(
        _subscribers(campaign.id, segment).with_only_columns(Signature.email, Signature.locale)
        .order_by(Signature.id).execution_options(yield_per=BATCH))
    for batch in _batches(rows):
        keep, dropped = _deliverable(batch)
        result.suppressed += dropped
        result.by_language.update(_language_for(row.locale, item, campaign) for row in keep)
    return result


# --- preview and test send -----------------------------------------------------------------

def _context(campaign: Campaign, item: CampaignUpdate, lang: str) -> dict[str, Any]:
    text = item.texts[lang]
    campaign_text = campaign.text_for(lang)
    return {"subject": text["subject"], "body_html": update_markdown.to_html(text["body"]),
            "body_text": update_markdown.to_text(text["body"]),
            "campaign_title": campaign_text.title if campaign_text else campaign.slug}


def preview(campaign: Campaign, item: CampaignUpdate, lang: str) -> dict[str, str]:
    """Subject, HTML and text parts as a signer reading `lang` gets them (sample links)."""
    context = _context(campaign, item, lang)
    sample = "#"
    subject, text, html = emails.render_email(
        "campaign_update", lang, campaign=campaign, unsubscribe_url=sample,
        forget_url=sample, **context)
    return {"subject": subject, "text": text, "html": html, "body_html": context["body_html"]}


def test_send(user: User, campaign: Campaign, item: CampaignUpdate) -> list[str]:
    """One e-mail per written language to the organizer alone, marked as a test."""
    languages = sorted(item.texts)
    for lang in languages:
        context = _context(campaign, item, lang)
        with i18n.force_language(lang):
            context["subject"] = gettext("[Test] %(subject)s", subject=context["subject"])
        console = emails.external_url("organizers.update_detail", slug=campaign.slug,
                                      update_id=item.id)
        emails.queue_email("campaign_update_test", to=user.email, lang=lang,
                           campaign=campaign, unsubscribe_url=console, forget_url=console,
                           **context)
    item.test_sent_at = utcnow()
    audit.record(user, "update.test_send", campaign_id=campaign.id, target=f"update {item.id}",
                 languages=languages)
    db.session.commit()
    return languages


# --- sending -------------------------------------------------------------------------------

def schedule(user: User, campaign: Campaign, item: CampaignUpdate, segment: Segment,
             when: datetime | None) -> None:
    """Keep the segment; with `when` (naive UTC, in the future) leave the send to
    `flask petitions send-scheduled`; None cancels a schedule."""
    if item.sent_at is not None:
        raise UpdateError("sent")
    if when is not None and when <= utcnow():
        raise UpdateError("past")
    item.segment = segment.as_dict()
    item.scheduled_for = when
    audit.record(user, "update.schedule", campaign_id=campaign.id, target=f"update {item.id}",
                 when=when.isoformat(timespec="minutes") if when else None,
                 segment=item.segment)
    db.session.commit()


def send(user: User | None, campaign: Campaign, item: CampaignUpdate,
         segment: Segment | None = None) -> int:
    """Queue one e-mail per subscribed signer in the segment (default: the one saved with the
    update), in the same transaction that marks it sent. UpdateError("sent") if it was."""
    segment = Segment.from_dict(item.segment) if segment is None else segment
    claimed = cast("CursorResult[Any]", db.session.execute(
        update(CampaignUpdate).where(CampaignUpdate.id == item.id,
                                     CampaignUpdate.sent_at.is_(None))
        .values(sent_at=utcnow(), segment=segment.as_dict())
        .execution_options(synchronize_session=False))).rowcount
    if not claimed:
        db.session.rollback()
        raise UpdateError("sent")  # sent already, perhaps by a second click
    count = suppressed = 0
    contexts: dict[str, dict[str, Any]] = {}  # Markdown rendered once per language, not per reader
    signers = db.session.scalars(_subscribers(campaign.id, segment).order_by(Signature.id)).all()
    for batch in _batches(signers):
        keep, dropped = _deliverable(batch)
        suppressed += dropped
        for signature in keep:
            lang = _language_for(signature.locale, item, campaign)
            links = signer_links(signature)
            if lang not in contexts:
                contexts[lang] = _context(campaign, item, lang)
            context = contexts[lang]
            message = emails.queue_email(
                "campaign_update", to=signature.email, lang=lang,
                headers=emails.unsubscribe_headers(links["unsubscribe_url"]),
                campaign=campaign, signature=signature,
                unsubscribe_url=links["unsubscribe_url"], forget_url=links["forget_url"],
                **context)
            db.session.add(CampaignUpdateRecipient(update_id=item.id,
                                                   signature_id=signature.id,
                                                   outbox=message, locale=lang))
            count += 1
        try:
            db.session.flush()
        except IntegrityError:  # another sender got here first: send nothing twice
            db.session.rollback()
            raise UpdateError("sent") from None
    db.session.execute(update(CampaignUpdate).where(CampaignUpdate.id == item.id)
                       .values(sent_count=count).execution_options(synchronize_session=False))
    audit.record(user, "update.send", campaign_id=campaign.id, target=f"update {item.id}",
                 recipients=count, suppressed=suppressed, segment=segment.as_dict() or None)
    db.session.commit()
    db.session.refresh(item)
    return count


def send_due(now: datetime | None = None) -> list[tuple[CampaignUpdate, int]]:
    """Send every scheduled update whose time has come (the CLI and a timer call this)."""
    now = now or utcnow()
    due = list(db.session.scalars(select(CampaignUpdate).where(
        CampaignUpdate.sent_at.is_(None), CampaignUpdate.scheduled_for.is_not(None),
        CampaignUpdate.scheduled_for <= now).order_by(CampaignUpdate.scheduled_for)))
    done = []
    for item in due:
        from ...campaigns.models import Campaign
        campaign = db.session.get(Campaign, item.campaign_id)
        assert campaign is not None
        try:
            done.append((item, send(None, campaign, item)))
        except UpdateError:
            continue  # another runner sent it
    return done


# --- report --------------------------------------------------------------------------------

def report(item: CampaignUpdate) -> dict[str, int]:
    """queued (waiting or retrying), sent, failed (incl. suppressed at send time), and
    unsubscribed after: recipients who have since turned news off or deleted their data.
    Outbox rows pruned after sending count as sent."""
    recipients = CampaignUpdateRecipient
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .select_from(recipients).outerjoin(OutboxMessage, OutboxMessage.id == recipients.outbox_id)
        .where(recipients.update_id == item.id).group_by(OutboxMessage.status)).all()
    by_status: dict[str | None, int] = dict(rows)
    unsubscribed = db.session.scalar(
        select(func.count()).select_from(recipients)
        .outerjoin(Signature, Signature.id == recipients.signature_id)
        .where(recipients.update_id == item.id,
               (Signature.id.is_(None)) | (Signature.updates_opt_in.is_(False)))) or 0
    return {"queued": by_status.get("queued", 0) + by_status.get("sending", 0),
            "sent": by_status.get("sent", 0) + by_status.get(None, 0),
            "failed": by_status.get("failed", 0),
            "unsubscribed": unsubscribed}
