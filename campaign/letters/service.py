"""Rules for letters: templates, the supporter's send, the daily cap and digest, petition
delivery and replies. Callable without a request (views, CLI and tests use it)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.utils import formataddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from .. import emails, i18n
from ..addresses import domain_variants, has_key, normalize_email
from ..campaigns.models import Campaign
from ..extensions import db
from ..outbox import service as outbox
from ..outbox.models import OutboxMessage
from ..petitions import custom_fields
from ..petitions import service as petitions_service
from ..petitions.lifecycle import counted
from ..petitions.models import Signature
from ..spreadsheet import csv_text
from ..targets.models import Target
from ..tokens import make_token, read_token
from ..util import utcnow
from . import templating
from .defaults import DEFAULT_TEMPLATES
from .models import CampaignTarget, Delivery, Letter, LetterTemplate, Reply

# Kept literally in the supporter's (plain text) letter and replaced per target: the
# supporter's text is never evaluated as a template.
TARGET_MARKER = "[[target]]"
CONFIRM_PURPOSE = "letters-confirm"


class LetterProblem(ValueError):
    """Something the supporter or organizer must change; the message is translated."""


# --- templates -------------------------------------------------------------------------

def find_template(campaign: Campaign, kind: str, locale: str,
                  *, fallback: bool = True) -> LetterTemplate | None:
    """The template in `locale`, else (like campaign text) the campaign's default language,
    else any."""
    rows = {t.locale: t for t in db.session.scalars(select(LetterTemplate).where(
        LetterTemplate.campaign_id == campaign.id, LetterTemplate.kind == kind))}
    if not fallback:
        return rows.get(locale)
    return rows.get(locale) or rows.get(campaign.default_locale) or next(
        (rows[k] for k in sorted(rows)), None)


def template_locales(campaign: Campaign, kind: str = "letter") -> list[str]:
    return list(db.session.scalars(select(LetterTemplate.locale).where(
        LetterTemplate.campaign_id == campaign.id, LetterTemplate.kind == kind)
        .order_by(LetterTemplate.locale)))


def campaign_title(campaign: Campaign, locale: str) -> str:
    text = campaign.text_for(locale)
    return text.title if text else campaign.slug


def preview(campaign: Campaign, subject: str, body: str, locale: str) -> templating.Rendered:
    """Render with sample values; raises TemplateProblem (with its line) when broken."""
    return templating.render_letter(subject, body, templating.sample_values(
        campaign_title(campaign, locale), campaign.signature_count, date.today().isoformat()))


def save_template(campaign: Campaign, kind: str, locale: str, subject: str,
                  body: str) -> LetterTemplate:
    """Store a template once it renders with the sample values (else TemplateProblem)."""
    preview(campaign, subject, body, locale)
    template = find_template(campaign, kind, locale, fallback=False)
    if template is None:
        template = LetterTemplate(campaign_id=campaign.id, kind=kind, locale=locale)
        db.session.add(template)
    template.subject, template.body = subject, body
    db.session.commit()
    return template


def install_default_templates(campaign: Campaign) -> None:
    for kind, by_locale in DEFAULT_TEMPLATES.items():
        for locale, (subject, body) in by_locale.items():
            if find_template(campaign, kind, locale, fallback=False) is None:
                db.session.add(LetterTemplate(campaign_id=campaign.id, kind=kind,
                                              locale=locale, subject=subject, body=body))


# --- targets of a campaign ---------------------------------------------------------------

def offered_targets(campaign: Campaign) -> list[tuple[Target, bool]]:
    """(target, preselected) for the supporter's form: the campaign's chosen targets, or
    every active target when the organizers chose none."""
    rows = db.session.execute(
        select(Target, CampaignTarget.preselected)
        .join(CampaignTarget, CampaignTarget.target_id == Target.id)
        .where(CampaignTarget.campaign_id == campaign.id, Target.active.is_(True))
        .order_by(Target.organisation, Target.name)).all()
    if rows:
        return [(target, bool(pre)) for target, pre in rows]
    return [(target, False) for target in db.session.scalars(
        select(Target).where(Target.active.is_(True)).order_by(Target.organisation,
                                                               Target.name))]


def set_campaign_targets(campaign: Campaign, offered: set[int], preselected: set[int]) -> None:
    db.session.execute(CampaignTarget.__table__.delete().where(
        CampaignTarget.campaign_id == campaign.id))
    for target_id in offered | preselected:
        db.session.add(CampaignTarget(campaign_id=campaign.id, target_id=target_id,
                                      preselected=target_id in preselected))
    db.session.commit()


def letter_language(target: Target, wanted: str, campaign: Campaign,
                    available: list[str]) -> str:
    """A language the target reads: the supporter's if it can, else the campaign's default,
    else the first language of the target that has a template, else English."""
    accepted = target.language_list
    for code in (wanted, campaign.default_locale):
        if code in accepted and code in available:
            return code
    for code in accepted:
        if code in available:
            return code
    return accepted[0]


# --- supporter letters -----------------------------------------------------------------

def _values(campaign, locale, *, name, place, target_name) -> dict:
    return {"supporter_name": name, "supporter_place": place,
            "campaign_title": campaign_title(campaign, locale),
            "signature_count": campaign.signature_count,
            "date": date.today().isoformat(), "target_name": target_name}


def draft(campaign: Campaign, locale: str, *, name: str = "", place: str = ""
          ) -> tuple[str, str, LetterTemplate | None]:
    """The letter the supporter reads and edits, with the target's name left as a marker."""
    template = find_template(campaign, "letter", locale)
    if template is None:
        return "", "", None
    try:
        rendered = templating.render_letter(template.subject, template.body, _values(
            campaign, template.locale, name=name or _("Your name"), place=place,
            target_name=TARGET_MARKER))
    except templating.TemplateProblem:
        return "", "", template  # the organizer is told in the console; supporters write
    return rendered.subject, rendered.body, template


@dataclass
class SendOutcome:
    letters: list[Letter] = field(default_factory=list)
    needs_confirmation: bool = False
    manual: list[Letter] = field(default_factory=list)  # targets without e-mail


def confirmed_signer(campaign: Campaign, email_key: str) -> Signature | None:
    return db.session.scalar(select(Signature).where(
        Signature.campaign_id == campaign.id, Signature.email_key == email_key,
        counted()))


def send_letters(campaign: Campaign, *, targets: list[Target], name: str, email: str,
                 place: str, subject: str, body: str, locale: str) -> SendOutcome:
    """Record one letter per target; send at once if the address confirmed a signature on
    this campaign, else e-mail the supporter a link that sends them."""
    if not targets:
        raise LetterProblem(_("Choose at least one institution."))
    address, key = normalize_email(email)
    template = find_template(campaign, "letter", locale)
    available = template_locales(campaign)
    batch = secrets.token_hex(16)
    confirmed = confirmed_signer(campaign, key) is not None
    outcome = SendOutcome(needs_confirmation=not confirmed)
    for target in targets:
        language = letter_language(target, locale, campaign, available)
        values = _values(campaign, language, name=name, place=place, target_name=target.name)
        if template and language == template.locale:
            letter_subject = subject.replace(TARGET_MARKER, target.name)
            letter_body = body.replace(TARGET_MARKER, target.name)
            used = template
        else:
            # The target does not read the supporter's language: the campaign's own letter
            # in one it reads, filled with the supporter's details.
            used = find_template(campaign, "letter", language, fallback=False) or template
            try:
                rendered = templating.render_letter(used.subject, used.body, values)
                letter_subject, letter_body = rendered.subject, rendered.body
            except (templating.TemplateProblem, AttributeError):
                # No usable template in a language it reads: the supporter's own text.
                used = template
                letter_subject = subject.replace(TARGET_MARKER, target.name)
                letter_body = body.replace(TARGET_MARKER, target.name)
        letter = Letter(campaign_id=campaign.id, target=target, template_id=used and used.id,
                        batch=batch, sender_name=name, sender_email=address,
                        sender_place=place, locale=language, subject=letter_subject[:300],
                        body=letter_body,
                        status="manual" if not target.by_email else "unconfirmed")
        db.session.add(letter)
        (outcome.manual if letter.status == "manual" else outcome.letters).append(letter)
    db.session.flush()
    if confirmed:
        for letter in outcome.letters:
            _dispatch(letter)
    elif outcome.letters:
        token = make_token(CONFIRM_PURPOSE, [batch, hashlib.sha256(key.encode()).hexdigest()[:12]])
        emails.queue_email(
            "letters_confirm", to=address, lang=locale, supporter_name=name,
            campaign_title=campaign_title(campaign, locale),
            targets=[letter.target.name for letter in outcome.letters],
            confirm_url=emails.external_url("letters.confirm", token=token))
    else:
        outcome.needs_confirmation = False
    db.session.commit()
    return outcome


def confirm_batch(token: str) -> list[Letter]:
    """Send the letters of a confirmed batch (once). Raises InvalidToken/ExpiredToken."""
    max_age = current_app.config["CONFIRM_MAX_AGE_DAYS"] * 86400
    payload = read_token(CONFIRM_PURPOSE, token, max_age)
    batch, digest = payload if isinstance(payload, list) and len(payload) == 2 else (None, None)
    letters = list(db.session.scalars(select(Letter).where(Letter.batch == str(batch))
                                      .order_by(Letter.id)))
    if not letters or hashlib.sha256(
            normalize_email(letters[0].sender_email)[1].encode()).hexdigest()[:12] != digest:
        return []
    for letter in letters:
        if letter.status == "unconfirmed":
            _dispatch(letter)
    db.session.commit()
    return letters


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time.min)


def sent_today(target_id: int, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Letter).where(
        Letter.target_id == target_id, Letter.status == "queued",
        Letter.sent_at >= _day_start(now)))


def _dispatch(letter: Letter) -> None:
    """Queue the letter for its target, or hold it for the digest when the target's daily cap
    is reached. Nothing is dropped."""
    now = utcnow()
    cap = current_app.config["LETTERS_DAILY_CAP_PER_TARGET"]
    if sent_today(letter.target_id, now) >= cap:
        letter.status = "held"
        return
    message = emails.queue_email(
        "letters_letter", to=letter.target.email, lang=letter.locale,
        reply_to=formataddr((" ".join(letter.sender_name.split()), letter.sender_email)),
        subject=letter.subject, body=letter.body, sender_name=letter.sender_name,
        sender_email=letter.sender_email)
    db.session.flush()
    letter.status, letter.sent_at, letter.outbox_message_id = "queued", now, message.id
    db.session.flush()


def send_digests() -> dict[str, int]:
    """One e-mail per target gathering every held letter: senders and messages."""
    held = list(db.session.scalars(select(Letter).where(Letter.status == "held")
                                   .order_by(Letter.target_id, Letter.id)))
    by_target: dict[int, list[Letter]] = {}
    for letter in held:
        by_target.setdefault(letter.target_id, []).append(letter)
    result = {}
    now = utcnow()
    for letters in by_target.values():
        target = letters[0].target
        lang = target.language_list[0]
        message = emails.queue_email("letters_digest", to=target.email, lang=lang,
                                     target_name=target.name, letters=letters)
        db.session.flush()
        for letter in letters:
            letter.status, letter.sent_at, letter.outbox_message_id = "digested", now, message.id
        result[target.short_id] = len(letters)
    db.session.commit()
    return result


def letter_counts(campaign: Campaign) -> dict[str, int]:
    return dict(db.session.execute(select(Letter.status, func.count()).where(
        Letter.campaign_id == campaign.id).group_by(Letter.status)).all())


# --- the canonical export and petition delivery ---------------------------------------------

EXPORT_COLUMNS = ["signature_id", "full_name", "email", "country", "locale", "confirmed_at"]


def canonical_export(campaign_id: int) -> bytes:
    """The full signature export whose SHA-256 goes into the dossier. Fixed definition:
    UTF-8 CSV, no BOM, LF line ends, minimal quoting, header `EXPORT_COLUMNS`, one row per
    confirmed signature ordered by signature_id, confirmed_at in UTC as YYYY-MM-DDTHH:MM:SS,
    a text cell starting like a spreadsheet formula prefixed with `'` (spreadsheet.py)."""
    rows = db.session.execute(
        select(Signature.id, Signature.full_name, Signature.email, Signature.country,
               Signature.locale, Signature.confirmed_at)
        .where(Signature.campaign_id == campaign_id, counted())
        .order_by(Signature.id)).all()
    return csv_text(EXPORT_COLUMNS, (
        (sid, name, email, country, locale,
         confirmed_at.replace(microsecond=0).isoformat() if confirmed_at else "")
        for sid, name, email, country, locale, confirmed_at in rows), line_end="\n").encode()


@dataclass
class DossierData:
    campaign: Campaign
    locale: str
    title: str
    summary: str
    body_text: str
    total: int
    by_country: list[tuple[str, int]]
    by_week: list[tuple[date, int]]
    names: list[str]
    comments: list[tuple[str, str]]
    export_sha256: str
    generated_at: datetime


def dossier_data(campaign: Campaign, locale: str) -> DossierData:
    import nh3

    from ..campaigns.service import render_markdown

    text = campaign.text_for(locale)
    signatures = list(db.session.scalars(select(Signature).where(
        Signature.campaign_id == campaign.id, counted())
        .order_by(Signature.confirmed_at, Signature.id)))
    by_country: dict[str, int] = {}
    by_week: dict[date, int] = {}
    names, comments = [], []
    premoderated = petitions_service.comments_premoderated(campaign.id)
    for signature in signatures:
        by_country[signature.country] = by_country.get(signature.country, 0) + 1
        day = (signature.confirmed_at or signature.created_at).date()
        monday = day - timedelta(days=day.weekday())
        by_week[monday] = by_week.get(monday, 0) + 1
        public = signature.public_name
        if public:
            names.append(public)
        if petitions_service.comment_is_public(signature, premoderated):
            comments.append((public or "", signature.comment))
    body_html = render_markdown(text.body_markdown if text else "")
    body_text = nh3.clean(body_html.replace("</p>", "</p>\n").replace("</h2>", "</h2>\n")
                          .replace("</li>", "</li>\n"), tags=set())
    import html as _html
    return DossierData(
        campaign=campaign, locale=locale, title=text.title if text else campaign.slug,
        summary=text.summary if text else "", body_text=_html.unescape(body_text).strip(),
        total=len(signatures),
        by_country=sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0])),
        by_week=sorted(by_week.items()), names=names, comments=comments,
        export_sha256=hashlib.sha256(canonical_export(campaign.id)).hexdigest(),
        generated_at=utcnow())


def dossier_pdf(campaign: Campaign, locale: str) -> tuple[bytes, DossierData]:
    from .dossier import build_pdf

    data = dossier_data(campaign, locale)
    with force_locale(i18n.catalog_locale(locale)):
        return build_pdf(data), data


def deliver(campaign: Campaign, targets: list[Target], locale: str, *,
            signed_by: str) -> list[Delivery]:
    """Send the cover letter with the PDF dossier to each chosen target that has an e-mail
    (the others are recorded as handed over by the organizer), and mark the campaign
    delivered."""
    if not targets:
        raise LetterProblem(_("Choose at least one institution."))
    template = find_template(campaign, "cover", locale)
    if template is None:
        raise LetterProblem(_("Write a cover letter first."))
    pdf, data = dossier_pdf(campaign, locale)
    filename = f"{campaign.slug}-petition-{locale}.pdf"
    deliveries = []
    for target in targets:
        rendered = templating.render_letter(template.subject, template.body, {
            **_values(campaign, template.locale, name=signed_by, place="",
                      target_name=target.name), "signature_count": data.total})
        message = None
        if target.by_email:
            message = outbox.enqueue(
                kind="letters_delivery", to=target.email, subject=rendered.subject,
                body_text=rendered.body + f"\n\nSHA-256: {data.export_sha256}\n",
                attachments=[(filename, "application/pdf", pdf)])
            db.session.flush()
        delivery = Delivery(campaign_id=campaign.id, target=target, locale=locale,
                            signature_count=data.total, export_sha256=data.export_sha256,
                            outbox_message_id=message.id if message else None)
        db.session.add(delivery)
        deliveries.append(delivery)
    campaign.status, campaign.delivered_at = "delivered", utcnow()
    # Answers the organizers promised to delete at delivery go in the same transaction.
    custom_fields.wipe_delivery_values(campaign.id)
    db.session.commit()
    return deliveries


def log_reply(campaign: Campaign, target: Target, *, received_on: date, summary: str,
              link: str | None) -> Reply:
    reply = Reply(campaign_id=campaign.id, target=target, received_on=received_on,
                  summary=summary.strip(), link=link or None)
    db.session.add(reply)
    db.session.commit()
    return reply


def timeline(campaign_id: int) -> list[dict]:
    """Deliveries and replies, oldest first, for the public campaign page."""
    events = [{"kind": "delivered", "when": d.delivered_at.date(), "target": d.target,
               "count": d.signature_count}
              for d in db.session.scalars(select(Delivery).where(
                  Delivery.campaign_id == campaign_id))]
    events += [{"kind": "reply", "when": r.received_on, "target": r.target,
                "summary": r.summary, "link": r.link}
               for r in db.session.scalars(select(Reply).where(Reply.campaign_id == campaign_id))]
    return sorted(events, key=lambda e: (e["when"], e["kind"] != "delivered"))


def prune_unconfirmed(older_than_days: int) -> int:
    """Delete letters whose sender never confirmed: they hold a name, an address and a text
    nobody asked us to keep."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(Letter.__table__.delete().where(
        Letter.status == "unconfirmed", Letter.created_at < cutoff))
    db.session.commit()
    return result.rowcount


# --- a supporter's own data (the privacy page's copy and deletion) -------------------------

def letters_of(email_key: str) -> list[Letter]:
    domains = domain_variants(email_key)
    candidates = db.session.scalars(select(Letter).where(or_(*(
        func.lower(Letter.sender_email).like(f"%@{domain}") for domain in domains)))
        .order_by(Letter.id))
    return [letter for letter in candidates if has_key(letter.sender_email, email_key)]


def export_letters(email_key: str) -> list[dict]:
    return [{
        "campaign": letter.campaign_id, "to": letter.target.name, "name": letter.sender_name,
        "email": letter.sender_email, "place": letter.sender_place, "language": letter.locale,
        "subject": letter.subject, "body": letter.body, "status": letter.status,
        "written_at": letter.created_at.isoformat() + "Z",
        "sent_at": letter.sent_at.isoformat() + "Z" if letter.sent_at else None,
    } for letter in letters_of(email_key)]


def erase_letters(email_key: str) -> int:
    """Delete the person's letters and our copies of the e-mails that carried them alone
    (Reply-To them); a digest shared with other senders is left to the outbox's pruning."""
    letters = letters_of(email_key)
    own_messages = [letter.outbox_message_id for letter in letters if letter.outbox_message_id]
    db.session.execute(delete(Letter).where(Letter.id.in_([letter.id for letter in letters])))
    if own_messages:
        db.session.execute(delete(OutboxMessage).where(
            OutboxMessage.id.in_(own_messages), OutboxMessage.reply_to.is_not(None)))
    db.session.commit()
    return len(letters)
