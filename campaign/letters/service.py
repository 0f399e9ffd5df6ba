"""Rules for letters: templates, the supporter's send, the daily cap and digest, petition
delivery and replies. Callable without a request (views, CLI and tests use it)."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.utils import formataddr
from typing import TYPE_CHECKING, Any, cast

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, Table, delete, func, or_, select, update

from .. import emails, i18n
from ..abuse.limits import check_rate
from ..addresses import domain_variants, has_key, normalize_email
from ..campaigns.addressees import Addressee
from ..campaigns.models import Campaign
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..targets.models import Target
from ..tokens import make_token, read_token
from ..util import utcnow
from . import routing, templating
from .defaults import DEFAULT_TEMPLATES
from .models import CampaignTarget, Delivery, Letter, LetterTemplate, Reply

if TYPE_CHECKING:
    from .delivery import DossierFacts

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


def preview(campaign: Campaign, subject: str, body: str, locale: str,
            kind: str = "cover") -> templating.Rendered:
    """Render with sample values; raises TemplateProblem (with its line) when broken. A
    supporters' letter is shown as an institution reads it: head and closing added."""
    if kind == "letter":
        check_letter_template(subject, body)
        rendered = templating.render_letter(subject, body, _template_values(campaign, locale))
        offered = offered_targets(campaign)
        target = offered[0][0] if offered else Target(
            name="UN Special Rapporteur on minority issues", translations={})
        return templating.Rendered(rendered.subject, compose(
            target, locale, rendered.body, name="Aisha Vanahun", place="Almaty"))
    return templating.render_letter(subject, body, templating.sample_values(
        campaign_title(campaign, locale), campaign.signature_count,
        letter_date(date.today(), locale)))


def save_template(campaign: Campaign, kind: str, locale: str, subject: str,
                  body: str) -> LetterTemplate:
    """Store a template once it renders with the sample values (else TemplateProblem)."""
    preview(campaign, subject, body, locale, kind)
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
    # Nothing chosen yet: only the bodies whose mandate covers the usual case, none ticked.
    return [(target, False) for target in db.session.scalars(
        select(Target).where(Target.active.is_(True), Target.offered_by_default.is_(True))
        .order_by(Target.organisation, Target.name))]


ORGANISATION_ORDER = ("UN", "OSCE", "CoE", "EU")


def grouped(items: list[Any], lang: str, target_of: Callable[[Any], Target] = lambda item: item
            ) -> list[tuple[str, list[Any]]]:
    """Items grouped by the target's organisation (UN, OSCE, CoE, EU), each group in the
    alphabetical order of the names as the reader of `lang` reads them."""
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(target_of(item).organisation, []).append(item)
    order = {code: n for n, code in enumerate(ORGANISATION_ORDER)}
    return [(organisation, sorted(members, key=lambda item: target_of(item).name_in(lang)))
            for organisation, members in sorted(groups.items(),
                                                key=lambda kv: order.get(kv[0], 99))]


def addressed_names(campaign: Campaign, lang: str) -> list[Addressee]:
    """The institutions the campaign addresses (its preselected targets), named in `lang`,
    each in English where the directory has no name in that language."""
    targets = db.session.scalars(
        select(Target)
        .join(CampaignTarget, CampaignTarget.target_id == Target.id)
        .where(CampaignTarget.campaign_id == campaign.id, CampaignTarget.preselected.is_(True),
               Target.active.is_(True))
        .order_by(Target.organisation, Target.name))
    return [Addressee(*target.name_and_language(lang)) for target in targets]


def set_campaign_targets(campaign: Campaign, offered: set[int], preselected: set[int]) -> None:
    db.session.execute(cast(Table, CampaignTarget.__table__).delete().where(
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
#
# A supporter's letter is three parts: the head (the institution's name in the letter's
# language, the date, the greeting), the text the supporter reads and may change, and the
# closing with the supporter's name and place. The server writes the head and the closing at
# send time, in the letter's language, so the text holds nothing a supporter must replace.

# Anything that means an unfilled template is left: the text is refused, not sent.
TEMPLATE_MARKERS = ("{{", "}}", "{%", "%}", "[[", "]]")
# The form labels a supporter could leave in the text, gathered in every language at runtime.
_LABELS = ("Your name", "City or country")


def letter_date(day: date, lang: str) -> str:
    """The date as the letter's reader writes it (Babel, long form: "30 ноября 2026 г.")."""
    return format_date(day, format="long", locale=i18n.format_locale(lang))


def letter_number(value: int, lang: str) -> str:
    return format_decimal(value, locale=i18n.format_locale(lang))


def language_names(codes: list[str], lang: str) -> str:
    """"английский, французский": languages named and listed as the reader of `lang` says."""
    from babel import Locale
    from babel.lists import format_list

    locale = Locale.parse(i18n.format_locale(lang))
    names = [locale.languages.get(code) or i18n.LANGUAGES[code].native_name
             if code in i18n.LANGUAGES else code for code in codes]
    return format_list(names, locale=locale)


def source_date_text(raw: str, lang: str) -> str:
    """A source's date as given ("2012", "2008-07-01"), full dates written for the reader."""
    try:
        return letter_date(date.fromisoformat(raw), lang)
    except ValueError:
        return raw


def closing_word(lang: str) -> str:
    with i18n.force_language(lang):
        return cast(str, _("Yours sincerely,"))


def letter_head(target: Target, lang: str, day: date) -> str:
    with i18n.force_language(lang):
        greeting = _("Dear Sir or Madam,")
    return f"{target.name_in(lang)}\n{letter_date(day, lang)}\n\n{greeting}\n\n"


def letter_closing(name: str, place: str, lang: str) -> str:
    lines = [closing_word(lang), " ".join(name.split())]
    if place.strip():
        lines.append(" ".join(place.split()))
    return "\n\n" + "\n".join(lines) + "\n"


def compose(target: Target, lang: str, text: str, *, name: str, place: str,
            day: date | None = None) -> str:
    """The letter the institution reads: head, the text, closing, all in `lang`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # browsers send CRLF
    return (letter_head(target, lang, day or date.today()) + text.strip()
            + letter_closing(name, place, lang))


def placeholder_labels() -> set[str]:
    """The labels of the name and place fields in every language of the site."""
    labels = set(_LABELS)
    for code in i18n.INTERFACE_LANGUAGES:
        with i18n.force_language(code):
            labels.update(_(label) for label in _LABELS)
    return labels


def unfilled_marker(*texts: str) -> str | None:
    """The first template marker or field label left in the texts, if any."""
    for text in texts:
        for marker in TEMPLATE_MARKERS:
            if marker in text:
                return marker
        folded = text.casefold()
        for label in sorted(placeholder_labels(), key=len, reverse=True):
            if label.casefold() in folded:
                return label
    return None


def _template_values(campaign: Campaign, locale: str) -> dict[str, Any]:
    """Values an organizer's supporter-letter template may use. The server writes the
    institution, the date and the supporter's name around the text (see `compose`)."""
    return {"supporter_name": "", "supporter_place": "",
            "campaign_title": campaign_title(campaign, locale),
            "signature_count": letter_number(campaign.signature_count, locale),
            "date": letter_date(date.today(), locale), "target_name": ""}


def _values(campaign: Campaign, locale: str, *, name: str, place: str, target_name: str
            ) -> dict[str, Any]:
    """Values for a cover letter (petition delivery)."""
    return {"supporter_name": name, "supporter_place": place,
            "campaign_title": campaign_title(campaign, locale),
            "signature_count": campaign.signature_count,
            "date": letter_date(date.today(), locale), "target_name": target_name}


# Placeholders the server fills around a supporter's letter: a template using them would
# write them twice or leave them empty in the supporter's text.
SERVER_WRITTEN = ("supporter_name", "supporter_place", "target_name", "date")


def check_letter_template(subject: str, body: str) -> None:
    import re

    for name in SERVER_WRITTEN:
        if re.search(r"\b" + name + r"\b", subject + body):
            raise templating.TemplateProblem(_(
                "Leave out {{ %(name)s }}: the site writes the institution's name, the date, "
                "the greeting and the supporter's name and place around the letter, in the "
                "letter's language.", name=name))


def draft(campaign: Campaign, locale: str) -> tuple[str, str, LetterTemplate | None]:
    """The text the supporter reads and may change: the campaign's letter without head and
    closing, which the server adds per institution."""
    template = find_template(campaign, "letter", locale)
    if template is None:
        return "", "", None
    try:
        rendered = templating.render_letter(template.subject, template.body,
                                            _template_values(campaign, template.locale))
    except templating.TemplateProblem:
        return "", "", template  # the organizer is told in the console; supporters write
    return rendered.subject, rendered.body.strip(), template


@dataclass
class SendOutcome:
    letters: list[Letter] = field(default_factory=list)
    manual: list[Letter] = field(default_factory=list)  # targets without e-mail


def _letter_for(campaign: Campaign, target: Target, *, locale: str,
                template: LetterTemplate | None, available: list[str], subject: str, body: str,
                name: str, place: str) -> tuple[str, str, str, LetterTemplate | None]:
    """(language, subject, full text, template used) of the letter to one target."""
    language = letter_language(target, locale, campaign, available)
    if template is None or language == template.locale:
        return language, subject, compose(target, language, body, name=name,
                                          place=place), template
    # The target does not read the supporter's language: the campaign's own letter in one it
    # reads, with head and closing in that language.
    used = find_template(campaign, "letter", language, fallback=False)
    if used is not None:
        try:
            rendered = templating.render_letter(used.subject, used.body,
                                                _template_values(campaign, language))
            return language, rendered.subject, compose(
                target, language, rendered.body, name=name, place=place), used
        except templating.TemplateProblem:
            pass
    # No usable template in a language it reads: the supporter's own text.
    return template.locale, subject, compose(target, template.locale, body, name=name,
                                             place=place), template


def send_letters(campaign: Campaign, *, targets: list[Target], name: str, email: str,
                 place: str, subject: str, body: str, locale: str,
                 ip: str | None = None) -> SendOutcome:
    """Record one letter per target and e-mail the supporter a link that sends them.

    Every address gets the same answer and the same e-mail, whether or not it signed: the
    form must not tell anyone which addresses signed, and nobody may send letters in the name
    of an address they do not read (no oracle). Raises LetterProblem (translated) for a text
    that still holds a marker or a field label, and RateLimited when over a limit."""
    if not targets:
        raise LetterProblem(_("Choose at least one institution."))
    left = unfilled_marker(subject, body, name, place)
    if left:
        raise LetterProblem(_("Your letter still contains “%(marker)s”. Replace it with your "
                              "own words; your name and place are added below the letter "
                              "for you.", marker=left))
    address, key = normalize_email(email)
    check_rate("letters", ip=ip, email_key=key)
    template = find_template(campaign, "letter", locale)
    available = template_locales(campaign)
    batch = secrets.token_hex(16)
    outcome = SendOutcome()
    for target in targets:
        language, letter_subject, letter_body, used = _letter_for(
            campaign, target, locale=locale, template=template, available=available,
            subject=subject.strip(), body=body, name=name, place=place)
        letter = Letter(campaign_id=campaign.id, target=target, template_id=used and used.id,
                        batch=batch, sender_name=name, sender_email=address,
                        sender_place=place, locale=language, subject=letter_subject[:300],
                        body=letter_body,
                        status="manual" if not target.by_email else "unconfirmed")
        db.session.add(letter)
        (outcome.manual if letter.status == "manual" else outcome.letters).append(letter)
    db.session.flush()
    if outcome.letters:
        token = make_token(CONFIRM_PURPOSE, [batch, hashlib.sha256(key.encode()).hexdigest()[:12]])
        links = emails.address_links(address)
        emails.queue_email(
            "letters_confirm", to=address, lang=locale, supporter_name=name, campaign=campaign,
            headers=emails.unsubscribe_headers(links["unsubscribe_all_url"]),
            data_url=links["data_url"],
            campaign_title=campaign_title(campaign, locale),
            targets=[letter.target.name_in(locale) for letter in outcome.letters],
            confirm_url=emails.external_url("letters.confirm", token=token))
    db.session.commit()
    return outcome


def confirm_batch(token: str) -> list[Letter]:
    """Send the letters of a confirmed batch (once). Raises InvalidToken/ExpiredToken.
    A letter to an address no organizer has checked waits (`unchecked`) for that check."""
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
            if letter.target.verified_on is None:
                letter.status = "unchecked"
            else:
                _dispatch(letter)
    db.session.commit()
    return letters


def batch_language(token: str) -> str | None:
    """The language of a genuine (possibly expired) link's letters, to answer in it."""
    try:
        payload = read_token(CONFIRM_PURPOSE, token, None)
    except Exception:  # noqa: BLE001 - not genuine: no language to guess
        return None
    batch = payload[0] if isinstance(payload, list) and payload else None
    return db.session.scalar(select(Letter.locale).where(Letter.batch == str(batch)).limit(1))


def release_unchecked(target: Target) -> int:
    """An organizer checked the target's address: send the letters that waited for it."""
    waiting = list(db.session.scalars(select(Letter).where(
        Letter.target_id == target.id, Letter.status == "unchecked").order_by(Letter.id)))
    for letter in waiting:
        _dispatch(letter)
    return len(waiting)


def unchecked_by_target(campaign: Campaign | None = None) -> list[tuple[Target, int]]:
    """Targets with confirmed letters waiting for an organizer's check, and how many."""
    query = (select(Target, func.count(Letter.id)).join(Letter, Letter.target_id == Target.id)
             .where(Letter.status == "unchecked").group_by(Target.id)
             .order_by(Target.organisation, Target.name))
    if campaign is not None:
        query = query.where(Letter.campaign_id == campaign.id)
    return [(target, count) for target, count in db.session.execute(query).all()]


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time.min)


def sent_today(target_id: int, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Letter).where(
        Letter.target_id == target_id, Letter.status == "queued",
        Letter.sent_at >= _day_start(now))) or 0


def _dispatch(letter: Letter) -> None:
    """Queue the letter for its target (or the test address, see routing), or hold it for
    the digest when the target's daily cap is reached. Nothing is dropped."""
    now = utcnow()
    cap = current_app.config["LETTERS_DAILY_CAP_PER_TARGET"]
    if sent_today(letter.target_id, now) >= cap:
        letter.status = "held"
        return
    assert letter.target.email is not None
    route = routing.route_to_institution(letter.target.email,
                                         letter.target.name_in(letter.locale))
    message = emails.queue_email(
        "letters_letter", to=route.to, lang=letter.locale,
        reply_to=formataddr((" ".join(letter.sender_name.split()), letter.sender_email)),
        subject=route.subject(letter.subject), body=letter.body,
        sender_name=letter.sender_name, sender_email=letter.sender_email,
        test_banner=route.banner(letter.locale))
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
        assert target.email is not None
        route = routing.route_to_institution(target.email, target.name_in(lang))
        message = emails.queue_email("letters_digest", to=route.to, lang=lang,
                                     target_name=target.name_in(lang), letters=letters,
                                     test_banner=route.banner(lang), subject_prefix=(
                                         "[TEST] " if route.test_mode else ""))
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

def canonical_export(campaign_id: int) -> bytes:
    """The full signature export whose SHA-256 goes into the dossier (defined in
    delivery.export_chunks, which streams it)."""
    from .delivery import export_chunks

    return b"".join(export_chunks(campaign_id))


def dossier_pdf(campaign: Campaign, locale: str) -> tuple[bytes, DossierFacts]:
    """The dossier now, in `locale` (see delivery.build_dossier): (PDF bytes, its facts)."""
    from .delivery import build_dossier

    return build_dossier(campaign, locale)


def log_reply(campaign: Campaign, target: Target, *, received_on: date, summary: str,
              link: str | None) -> Reply:
    reply = Reply(campaign_id=campaign.id, target=target, received_on=received_on,
                  summary=summary.strip(), link=link or None)
    db.session.add(reply)
    db.session.commit()
    return reply


def timeline(campaign_id: int) -> list[dict[str, Any]]:
    """Deliveries and replies, oldest first, for the public campaign page."""
    events = [{"kind": "delivered", "when": d.delivered_at.date(), "target": d.target,
               "count": d.signature_count}
              for d in db.session.scalars(select(Delivery).where(
                  Delivery.campaign_id == campaign_id))]
    events += [{"kind": "reply", "when": r.received_on, "target": r.target,
                "summary": r.summary, "link": r.link, "reply": r}
               for r in db.session.scalars(select(Reply).where(Reply.campaign_id == campaign_id))]
    return sorted(events, key=lambda e: (e["when"], e["kind"] != "delivered"))


def prune_unconfirmed(older_than_days: int) -> int:
    """Delete letters whose sender never confirmed: they hold a name, an address and a text
    nobody asked us to keep."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(cast(Table, Letter.__table__).delete().where(
        Letter.status == "unconfirmed", Letter.created_at < cutoff))
    db.session.commit()
    return cast(CursorResult[Any], result).rowcount


# --- a supporter's own data (the privacy page's copy and deletion) -------------------------

def letters_of(email_key: str) -> list[Letter]:
    domains = domain_variants(email_key)
    candidates = db.session.scalars(select(Letter).where(or_(*(
        func.lower(Letter.sender_email).like(f"%@{domain}") for domain in domains)))
        .order_by(Letter.id))
    return [letter for letter in candidates if has_key(letter.sender_email, email_key)]


def export_letters(email_key: str) -> list[dict[str, Any]]:
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


def purge_campaign_letters(campaign_id: int) -> None:
    """Retention purge of a delivered campaign: the supporters' letters keep that a letter
    went to an institution and when, not who wrote it or what it said; our copies of those
    e-mails and the stored dossiers (which list public names and comments) go too. The
    caller commits."""
    from .models import DossierJob

    letters = list(db.session.scalars(select(Letter).where(Letter.campaign_id == campaign_id)))
    messages = [letter.outbox_message_id for letter in letters if letter.outbox_message_id]
    for letter in letters:
        letter.sender_name = letter.sender_email = letter.sender_place = ""
        letter.subject = letter.body = "(erased)"
    if messages:
        db.session.execute(delete(OutboxMessage).where(
            OutboxMessage.id.in_(messages), OutboxMessage.status.in_(("sent", "failed"))))
    db.session.execute(update(DossierJob).where(DossierJob.campaign_id == campaign_id)
                       .values(pdf=None).execution_options(synchronize_session=False))


def count_held_letters() -> int:
    """Letters waiting over an institution's daily cap (a metric read at scrape time)."""
    return db.session.scalar(select(func.count()).select_from(Letter)
                             .where(Letter.status == "held")) or 0
