"""Petition delivery: the dossier's facts (aggregated in SQL, streamed, so a campaign of a
million signatures fits in memory), dossier jobs built outside the request, the two-step
delivery (preview, then send), and reopening a closed campaign. Runs without a request."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from flask import current_app
from flask_babel import force_locale, format_date
from sqlalchemy import ColumnElement, CursorResult, Table, func, select

from .. import i18n
from ..audit import service as audit
from ..campaigns.models import Campaign
from ..extensions import db
from ..organization import service as organization_service
from ..organization.models import Organization
from ..outbox import service as outbox
from ..petitions import custom_fields
from ..petitions import service as petitions_service
from ..petitions.lifecycle import counted
from ..petitions.models import Signature
from ..spreadsheet import iter_csv
from ..targets.models import Target
from ..util import utcnow
from . import routing, templating
from .models import Delivery, DossierJob

if TYPE_CHECKING:
    from ..organizers.models import User
    from ..outbox.models import OutboxMessage

EXPORT_COLUMNS = ["signature_id", "full_name", "email", "country", "locale", "confirmed_at"]
# Printed in full up to these many; the dossier says how many more there are and where the
# full export is. A million names would make a PDF nobody reads and nobody can mail.
MAX_NAMES = 5000
MAX_COMMENTS = 2000
_STREAM_ROWS = 5000
DELIVERY_MODES = ("keep", "close")


# --- the canonical export (what the dossier's SHA-256 covers) -------------------------------

def export_chunks(campaign_id: int) -> Iterator[bytes]:
    """The canonical export in pieces, rows streamed from the database. Fixed definition:
    UTF-8 CSV, no BOM, LF line ends, minimal quoting, header EXPORT_COLUMNS, one row per
    confirmed signature ordered by signature_id, confirmed_at in UTC as YYYY-MM-DDTHH:MM:SS,
    a text cell starting like a spreadsheet formula prefixed with `'` (spreadsheet.py)."""
    result = db.session.execute(
        select(Signature.id, Signature.full_name, Signature.email, Signature.country,
               Signature.locale, Signature.confirmed_at)
        .where(Signature.campaign_id == campaign_id, counted())
        .order_by(Signature.id).execution_options(yield_per=_STREAM_ROWS))
    rows = ((sid, name, email, country, locale,
             confirmed_at.replace(microsecond=0).isoformat() if confirmed_at else "")
            for sid, name, email, country, locale, confirmed_at in result)
    for text in iter_csv(EXPORT_COLUMNS, rows, line_end="\n", chunk_rows=_STREAM_ROWS):
        yield text.encode("utf-8")


def export_sha256(campaign_id: int) -> str:
    digest = hashlib.sha256()
    for chunk in export_chunks(campaign_id):
        digest.update(chunk)
    return digest.hexdigest()


# --- what the dossier says -----------------------------------------------------------------

@dataclass
class PreviousDelivery:
    delivered_on: date
    signature_count: int


@dataclass
class DossierFacts:
    campaign: Campaign
    locale: str
    title: str
    summary: str
    body_html: str
    total: int
    by_source: dict[str, int]
    by_country: list[tuple[str, int]]
    by_month: list[tuple[str, int]]  # ("2026-03", count), oldest first
    names: list[str]
    names_total: int
    comments: list[tuple[str, str]]
    comments_total: int
    export_sha256: str
    export_url: str
    generated_at: datetime
    organization: Organization
    signed_by: str
    addressees: list[str] = field(default_factory=list)
    previous: PreviousDelivery | None = None


def _month_expression(column: ColumnElement[Any]) -> ColumnElement[str]:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _public_name(full_name: str, display: str, name_hidden: bool = False) -> str | None:
    """As Signature.public_name, on columns (no ORM object per row)."""
    return Signature(full_name=full_name, display=display, name_hidden=name_hidden).public_name


def target_name(target: Target, locale: str) -> str:
    """The institution's name as written in `locale` (the directory's sourced names)."""
    return target.name_in(locale)


def previous_delivery(campaign_id: int) -> PreviousDelivery | None:
    last = db.session.execute(
        select(Delivery.delivered_at, Delivery.signature_count)
        .where(Delivery.campaign_id == campaign_id)
        .order_by(Delivery.delivered_at.desc(), Delivery.id.desc()).limit(1)).first()
    return PreviousDelivery(last[0].date(), last[1]) if last else None


def gather(campaign: Campaign, locale: str, *, targets: Sequence[Target] = (),
           signed_by: str = "") -> DossierFacts:
    """Every number by an aggregate query; names and comments read up to their caps."""
    from .. import emails
    from ..campaigns.service import render_markdown

    confirmed = (Signature.campaign_id == campaign.id, counted())
    text = campaign.text_for(locale)
    by_source = dict(db.session.execute(
        select(Signature.source, func.count()).where(*confirmed)
        .group_by(Signature.source)).all())
    by_country = sorted(db.session.execute(
        select(Signature.country, func.count()).where(*confirmed)
        .group_by(Signature.country)).all(), key=lambda row: (-row[1], row[0]))
    month = _month_expression(func.coalesce(Signature.confirmed_at, Signature.created_at))
    by_month = sorted(db.session.execute(
        select(month, func.count()).where(*confirmed).group_by(month)).all())
    # A name an organizer hid (a signer at risk) stays out of the dossier too.
    shown = (*confirmed, Signature.display != "anonymous", Signature.name_hidden.is_(False))
    names_total = db.session.scalar(select(func.count()).where(*shown)) or 0
    names = [name for name in (
        _public_name(full_name, display) for full_name, display in db.session.execute(
            select(Signature.full_name, Signature.display).where(*shown)
            .order_by(Signature.confirmed_at, Signature.id).limit(MAX_NAMES)))
        if name]
    commented: tuple[ColumnElement[bool], ...]
    commented = (*confirmed, Signature.comment.is_not(None), Signature.comment != "",
                 Signature.comment_hidden.is_(False))
    if petitions_service.comments_premoderated(campaign.id):
        # A pre-moderated campaign's dossier carries approved comments only, as its page.
        commented = (*commented, Signature.comment_approved_at.is_not(None))
    comments_total = db.session.scalar(select(func.count()).where(*commented)) or 0
    comments = [(_public_name(full_name, display, name_hidden) or "", comment)
                for full_name, display, name_hidden, comment in db.session.execute(
                    select(Signature.full_name, Signature.display, Signature.name_hidden,
                           Signature.comment)
                    .where(*commented).order_by(Signature.confirmed_at, Signature.id)
                    .limit(MAX_COMMENTS))]
    return DossierFacts(
        campaign=campaign, locale=locale, title=text.title if text else campaign.slug,
        summary=text.summary if text else "",
        body_html=render_markdown(text.body_markdown if text else ""),
        total=sum(by_source.values()), by_source=by_source,
        by_country=[(code, count) for code, count in by_country],
        by_month=[(key, count) for key, count in by_month],
        names=names, names_total=names_total,
        comments=cast(list[tuple[str, str]], comments),  # the query keeps non-NULL comments
        comments_total=comments_total, export_sha256=export_sha256(campaign.id),
        export_url=emails.external_url("delivery.export", slug=campaign.slug),
        generated_at=utcnow(), organization=organization_service.get(), signed_by=signed_by,
        addressees=[target_name(t, locale) for t in targets],
        previous=previous_delivery(campaign.id))


def build_dossier(campaign: Campaign, locale: str, *, targets: Sequence[Target] = (),
                  signed_by: str = "") -> tuple[bytes, DossierFacts]:
    from .dossier import build_pdf

    facts = gather(campaign, locale, targets=targets, signed_by=signed_by)
    with force_locale(i18n.catalog_locale(locale)):
        return build_pdf(facts), facts


# --- dossier jobs: big campaigns are built by a worker ----------------------------------------

def inline_limit() -> int:
    return cast(int, current_app.config["DOSSIER_INLINE_MAX_SIGNATURES"])


def request_dossier(campaign: Campaign, locale: str, targets: list[Target],
                    signed_by: str) -> DossierJob:
    """A dossier for this delivery: built now when the campaign is small and the fonts are
    made, else queued for `flask letters dossiers` (the console shows "being prepared"): a
    request never waits for the minute it takes to make the Chinese weights."""
    from .dossier import fonts_ready

    job = DossierJob(campaign_id=campaign.id, locale=locale,
                     target_ids=sorted(t.id for t in targets), signed_by=signed_by)
    db.session.add(job)
    db.session.commit()
    if campaign.signature_count <= inline_limit() and fonts_ready():
        run_job(job)
    return job


_warm_up_started = threading.Event()


def warm_up() -> None:
    """Load the PDF library and the dossier's fonts in a background thread, once per process:
    the delivery page calls it, so that while the organizer chooses institutions the preview
    request's build loses its first-time cost (about two seconds of CPU: importing fpdf2 and
    fontTools, reading the fonts' measurements)."""
    from .dossier import fonts_ready

    if _warm_up_started.is_set() or not fonts_ready():
        return
    _warm_up_started.set()
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        try:
            with app.app_context():
                from .dossier import _pdf
                _pdf()
        except Exception:  # a warm-up that fails only leaves the cost to the request
            app.logger.exception("dossier warm-up failed")

    threading.Thread(target=run, name="dossier-warm-up", daemon=True).start()


def run_job(job: DossierJob) -> DossierJob:
    job.status, job.started_at = "running", utcnow()
    db.session.commit()
    campaign = db.session.get(Campaign, job.campaign_id)
    assert campaign is not None
    targets = list(db.session.scalars(select(Target).where(Target.id.in_(job.target_ids))))
    try:
        pdf, facts = build_dossier(campaign, job.locale, targets=targets,
                                   signed_by=job.signed_by)
    except Exception as error:  # recorded for the organizer, the worker carries on
        db.session.rollback()
        current_app.logger.exception("dossier job %s failed", job.id)
        job = db.session.get_one(DossierJob, job.id)
        job.status, job.error, job.finished_at = "failed", type(error).__name__, utcnow()
        db.session.commit()
        return job
    job.pdf, job.pdf_size = pdf, len(pdf)
    job.signature_count, job.export_sha256 = facts.total, facts.export_sha256
    job.status, job.finished_at = "done", utcnow()
    db.session.commit()
    return job


def run_pending_jobs(limit: int = 10) -> int:
    """Build queued dossiers, oldest first (the CLI and the outbox worker call this)."""
    done = 0
    for _ in range(limit):
        job = db.session.scalar(select(DossierJob).where(DossierJob.status == "pending")
                                .order_by(DossierJob.id).limit(1))
        if job is None:
            break
        # Claim it: only the worker whose UPDATE changes the row builds it.
        claimed = cast(CursorResult[Any], db.session.execute(
            cast(Table, DossierJob.__table__).update().where(DossierJob.id == job.id,
                                                             DossierJob.status == "pending")
            .values(status="running", started_at=utcnow()))).rowcount
        db.session.commit()
        if claimed:
            run_job(db.session.get_one(DossierJob, job.id))
            done += 1
    return done


def job_of(campaign: Campaign, job_id: int) -> DossierJob | None:
    job = db.session.get(DossierJob, job_id)
    return job if job is not None and job.campaign_id == campaign.id else None


def latest_jobs(campaign: Campaign, limit: int = 5) -> list[DossierJob]:
    return list(db.session.scalars(select(DossierJob).where(
        DossierJob.campaign_id == campaign.id).order_by(DossierJob.id.desc()).limit(limit)))


# --- sending to institutions -----------------------------------------------------------------

def letters_live() -> bool:
    """Whether cover letters reach the real institutions (letters.routing decides)."""
    return routing.is_live()


def routed_address(target: Target) -> str | None:
    """Where a message for `target` really goes (letters.routing: the institution when
    letters are live, else the test address); None when it has no e-mail."""
    if not target.by_email:
        return None
    assert target.email is not None
    return routing.route_to_institution(target.email, target.name).to


def _send_to_institution(target: Target, *, subject: str, body: str, reply_to: str | None,
                         attachments: list[tuple[str, str, bytes]], locale: str
                         ) -> OutboxMessage | None:
    """Queue one message for an institution through the letters' one routing decision: in
    test mode it goes to the test address with `[TEST]` and the intended recipient on top."""
    if not target.by_email:
        return None
    assert target.email is not None
    route = routing.route_to_institution(target.email, target_name(target, locale))
    return outbox.enqueue(kind="letters_delivery", to=route.to, subject=route.subject(subject),
                          body_text=route.mark(body, locale), reply_to=reply_to,
                          attachments=attachments)


@dataclass
class CoverLetter:
    target: Target
    to: str | None          # where it really goes (None: handed over by the organizer)
    subject: str
    body: str


def _cover_values(campaign: Campaign, locale: str, target: Target, count: int
                  ) -> dict[str, Any]:
    from .service import campaign_title

    with force_locale(i18n.catalog_locale(locale)):
        today = format_date(utcnow().date(), "long")
    return {"supporter_name": "", "supporter_place": "", "target_name": target_name(target, locale),
            "campaign_title": campaign_title(campaign, locale), "signature_count": count,
            "date": today}


def cover_letters(campaign: Campaign, locale: str, targets: list[Target], *, signed_by: str,
                  count: int) -> list[CoverLetter]:
    """Each institution's cover letter, closed with the organizer's and the organization's
    names (raises LetterProblem / TemplateProblem as the console shows them)."""
    from flask_babel import gettext as _

    from .service import LetterProblem, find_template

    template = find_template(campaign, "cover", locale)
    if template is None:
        raise LetterProblem(_("Write a cover letter first."))
    closing = organization_service.signature_block(organization_service.get(), signed_by)
    letters = []
    for target in targets:
        rendered = templating.render_letter(template.subject, template.body, _cover_values(
            campaign, template.locale, target, count))
        letters.append(CoverLetter(target=target, to=routed_address(target),
                                   subject=rendered.subject,
                                   body=rendered.body.rstrip() + "\n\n" + closing + "\n"))
    return letters


def attachment_name(campaign: Campaign, locale: str) -> str:
    return f"{campaign.slug}-petition-{locale}.pdf"


def deliver(campaign: Campaign, job: DossierJob, *, mode: str, user: User) -> list[Delivery]:
    """Send the cover letters with the job's dossier and record the delivery. `mode` "keep"
    leaves the campaign open for signatures; "close" closes it (an admin can reopen it)."""
    from flask_babel import gettext as _

    from .service import LetterProblem

    if mode not in DELIVERY_MODES:
        raise LetterProblem(_("Choose whether the campaign keeps collecting signatures."))
    if job.status == "sent":
        raise LetterProblem(_("This delivery has been sent already."))
    if job.status != "done" or job.campaign_id != campaign.id:
        raise LetterProblem(_("The dossier is not ready yet."))
    targets = list(db.session.scalars(select(Target).where(Target.id.in_(job.target_ids))))
    if not targets:
        raise LetterProblem(_("Choose at least one institution."))
    if not letters_live() and not organization_service.get().contact_email \
            and any(t.by_email for t in targets):
        raise LetterProblem(_("Letters are in test mode and the organization has no contact "
                              "address to receive them: fill in the organization's profile "
                              "first."))
    organizer_name = job.signed_by
    # A "done" job has both.
    assert job.signature_count is not None
    assert job.pdf is not None
    reply_to = organization_service.reply_address(getattr(user, "email", None),
                                                  organization_service.get())
    letters = cover_letters(campaign, job.locale, targets, signed_by=organizer_name,
                            count=job.signature_count)
    attachments = [(attachment_name(campaign, job.locale), "application/pdf", job.pdf)]
    # Claimed in the transaction that queues the letters: a second click (or a second tab)
    # finds the job sent and sends nothing.
    claimed = cast(CursorResult[Any], db.session.execute(
        cast(Table, DossierJob.__table__).update().where(DossierJob.id == job.id,
                                                         DossierJob.status == "done")
        .values(status="sent"))).rowcount
    if not claimed:
        raise LetterProblem(_("This delivery has been sent already."))
    deliveries = []
    now = utcnow()
    for letter in letters:
        message = _send_to_institution(
            letter.target, subject=letter.subject,
            body=letter.body + f"\nSHA-256: {job.export_sha256}\n", reply_to=reply_to,
            attachments=attachments, locale=job.locale)
        db.session.flush()
        delivery = Delivery(campaign_id=campaign.id, target_id=letter.target.id,
                            target=letter.target, locale=job.locale,
                            signature_count=job.signature_count,
                            export_sha256=job.export_sha256, delivered_at=now,
                            outbox_message_id=message.id if message else None)
        db.session.add(delivery)
        deliveries.append(delivery)
    campaign.delivered_at = now
    # Answers the organizers promised to delete at delivery go in the same transaction.
    custom_fields.wipe_delivery_values(campaign.id)
    if mode == "close":
        campaign.status = "delivered"
    audit.record(user, "campaign.deliver", campaign_id=campaign.id, target=campaign.slug,
                 mode=mode, institutions=[t.short_id for t in targets],
                 signatures=job.signature_count, live=letters_live())
    db.session.commit()
    return deliveries


def reopen(user: User, campaign: Campaign) -> None:
    """An admin reopens a delivered or closed campaign for signatures."""
    if campaign.status not in ("delivered", "closed"):
        return
    audit.record(user, "campaign.reopen", campaign_id=campaign.id, target=campaign.slug,
                 changes=[campaign.status, "live"])
    campaign.status = "live"
    db.session.commit()


def last_delivery_summary(campaign_id: int, lang: str = "en") -> dict[str, Any] | None:
    """"Delivered on <date> to <institutions>" for the public page: the latest delivery, the
    institutions named in the page's language `lang`."""
    last = previous_delivery(campaign_id)
    if last is None:
        return None
    start = datetime.combine(last.delivered_on, datetime.min.time())
    day_rows = db.session.scalars(select(Delivery).where(
        Delivery.campaign_id == campaign_id, Delivery.delivered_at >= start,
        Delivery.delivered_at < start + timedelta(days=1)))
    names = list(dict.fromkeys(target_name(d.target, lang) for d in day_rows))
    return {"on": last.delivered_on, "targets": names, "count": last.signature_count}
