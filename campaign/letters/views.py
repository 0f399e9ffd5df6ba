from typing import Any, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import i18n
from ..audit import service as audit
from ..campaigns import service as campaigns
from ..campaigns.models import Campaign
from ..campaigns.next_steps import NextStep
from ..emails import external_url
from ..extensions import limiter
from ..organizers import registry as console_registry
from ..organizers.access import admin_required, campaign_access
from ..targets import service as targets
from ..targets.models import Target
from ..tokens import ExpiredToken, InvalidToken
from . import routing, service
from .forms import DeliverForm, LetterForm, PlainForm, ReplyForm, TemplateForm
from .templating import PLACEHOLDERS, Rendered, TemplateProblem

bp = Blueprint("letters", __name__)


def delivery_for_api(campaign: Campaign) -> list[dict[str, Any]]:
    """The public delivery timeline as data, under `extensions.delivery` in the campaign API."""
    return [{"kind": event["kind"], "date": event["when"].isoformat(),
             "target": event["target"].name, "organisation": event["target"].organisation,
             "signatures": event.get("count"), "summary": event.get("summary"),
             "link": event.get("link")}
            for event in service.timeline(campaign.id)]


def letters_section(campaign: Campaign, lang: str) -> dict[str, Any] | None:
    from .delivery import last_delivery_summary

    events = service.timeline(campaign.id)
    can_write = campaign.status != "closed" and bool(service.offered_targets(campaign))
    last = last_delivery_summary(campaign.id, lang)
    if not events and not can_write and not last:
        return None  # no institutions and nothing to report: no empty "Institutions" heading
    return {"events": events, "last": last, "can_write": can_write}


def init_app(app: Flask) -> None:
    app.context_processor(_letters_test_mode_banner)


def _letters_test_mode_banner() -> dict[str, Any]:
    """Every console page says when letters are in test mode (one small query, console only)."""
    if not request or not request.path.startswith("/organize/") or \
            not current_user.is_authenticated:
        return {}
    return {"letters_test_mode": not routing.is_live()}


# The four organisations, written out (the console groups institutions under these).
ORGANISATION_NAMES = {"UN": _l("United Nations"), "OSCE": _l("OSCE"),
                      "CoE": _l("Council of Europe"), "EU": _l("European Union")}


def write_step(campaign: Campaign, lang: str) -> NextStep | None:
    """After signing: write to the institutions (only when there are some to write to)."""
    if campaign.status == "closed" or not service.offered_targets(campaign):
        return None
    return NextStep("letters", _("Write to the institutions"),
                    _("A letter in your own words adds weight to the petition."),
                    external_url("letters.write", lang=lang, slug=campaign.slug))


# --- supporters ------------------------------------------------------------------------

def _selected_ids(offered: list[tuple[Target, bool]]) -> set[int]:
    allowed = {target.id for target, _pre in offered}
    chosen = set()
    for raw in request.form.getlist("targets"):
        if raw.isdigit() and int(raw) in allowed:
            chosen.add(int(raw))
    return chosen


@bp.route("/<lang:lang>/c/<slug>/letters", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def write(slug: str) -> ResponseReturnValue:
    campaign = campaigns.campaign_by_slug(slug)
    if campaign is None or campaign.status == "closed":
        abort(404)
    lang = i18n.current_language()
    offered = service.offered_targets(campaign)
    form = LetterForm()
    subject, body, template = service.draft(campaign, lang)
    page = {"campaign": campaign, "text": campaign.text_for(lang), "form": form,
            "offered": offered, "template": template,
            "closing": service.closing_word(template.locale if template else lang),
            "language_names": lambda codes: service.language_names(codes, lang),
            "source_date": lambda raw: service.source_date_text(raw, lang),
            "organisation_names": ORGANISATION_NAMES,
            "offered_groups": service.grouped(offered, lang, target_of=lambda item: item[0])}
    if request.method == "GET":
        form.subject.data, form.body.data = subject, body
        return render_template("letters/write.html", selected={t.id for t, pre in offered if pre},
                               **page)
    selected = _selected_ids(offered)
    valid = form.validate()
    if not selected:
        page["targets_error"] = _("Choose at least one institution.")
    if not valid or not selected:
        return render_template("letters/write.html", selected=selected, **page), 422
    try:
        outcome = service.send_letters(
            campaign, targets=targets.targets_by_ids(selected),
            name=form.full_name.data.strip(), email=form.email.data,
            place=(form.place.data or "").strip(), subject=form.subject.data.strip(),
            body=form.body.data, locale=lang, ip=request.remote_addr)
    except service.LetterProblem as problem:
        page["letter_error"] = str(problem)
        return render_template("letters/write.html", selected=selected, **page), 422
    return render_template("letters/sent.html", outcome=outcome, **page)


@bp.get("/letters/confirm/<token>")
def confirm(token: str) -> ResponseReturnValue:
    try:
        letters = service.confirm_batch(token)
    except ExpiredToken:
        lang = service.batch_language(token)
        if lang in i18n.LANGUAGES:
            g.lang = lang
        return render_template("letters/link_problem.html", problem="expired"), 410
    except InvalidToken:
        return render_template("letters/link_problem.html", problem="invalid"), 400
    if not letters:
        return render_template("letters/link_problem.html", problem="gone"), 404
    campaign = letters[0].campaign
    g.lang = letters[0].locale if letters[0].locale in i18n.INTERFACE_LANGUAGES else "en"
    return render_template("letters/confirmed.html", letters=letters, campaign=campaign)


# --- organizers ------------------------------------------------------------------------

def _status_counts(counts: dict[str, int]) -> list[str]:
    """"3 letters sent; 1 letter waiting for its sender's click" (CLDR plurals, numbers
    written for the reader)."""
    def say(status: str, n: int) -> str:
        num = format_decimal(n)
        if status == "queued":
            return cast(str, ngettext("%(count)s letter sent", "%(count)s letters sent", n,
                                      count=num))
        if status == "digested":
            return cast(str, ngettext("%(count)s letter sent in a digest",
                                      "%(count)s letters sent in a digest", n, count=num))
        if status == "held":
            return cast(str, ngettext("%(count)s letter held for today's digest",
                                      "%(count)s letters held for today's digest", n, count=num))
        if status == "unconfirmed":
            return cast(str, ngettext(
                "%(count)s letter waiting for its sender's click",
                "%(count)s letters waiting for their senders' click", n, count=num))
        if status == "unchecked":
            return cast(str, ngettext("%(count)s letter waiting for an address check",
                                      "%(count)s letters waiting for an address check", n,
                                      count=num))
        return cast(str, ngettext("%(count)s letter copied into a web form",
                                  "%(count)s letters copied into a web form", n, count=num))

    return [say(status, num) for status, num in sorted(counts.items())]


def _locale_choices(campaign: Campaign) -> list[tuple[str, str]]:
    codes = list(dict.fromkeys(campaign.locales + list(i18n.CONTENT_LANGUAGES)))
    return [(code, i18n.LANGUAGES[code].native_name) for code in codes if code in i18n.LANGUAGES]


def _console(campaign: Campaign, *, template_form: TemplateForm | None = None,
             preview: Rendered | None = None, problem: TemplateProblem | None = None,
             status: int = 200, deliver_form: DeliverForm | None = None,
             reply_form: ReplyForm | None = None) -> ResponseReturnValue:
    kind = request.args.get("kind", "letter") if template_form is None else template_form.kind.data
    locale = request.args.get("locale", campaign.default_locale) if template_form is None \
        else template_form.locale.data
    if template_form is None:
        template_form = TemplateForm(formdata=None, kind=kind, locale=locale)
        existing = service.find_template(campaign, kind, locale, fallback=False)
        if existing:
            template_form.subject.data, template_form.body.data = existing.subject, existing.body
        else:
            fallback = service.find_template(campaign, kind, locale)
            if fallback:
                template_form.subject.data, template_form.body.data = (fallback.subject,
                                                                       fallback.body)
    template_form.locale.choices = _locale_choices(campaign)
    saved = service.find_template(campaign, kind, template_form.locale.data, fallback=False)
    lang = i18n.current_language()
    deliver_form = deliver_form or DeliverForm(formdata=None, locale=campaign.default_locale)
    deliver_form.locale.choices = _locale_choices(campaign)
    reply_form = reply_form or ReplyForm(formdata=None)
    all_targets = targets.all_targets()
    reply_form.target_id.choices = [(t.id, f"{t.name_in(lang)} ({t.organisation})")
                                  for t in all_targets]
    chosen = {t.id: pre for t, pre in service.offered_targets(campaign)}
    return render_template(
        "letters/console.html", campaign=campaign, template_form=template_form,
        tabs=console_registry.tabs(), letters_live=routing.is_live(),
        deployment_allows_live=bool(current_app.config.get("LETTERS_LIVE")),
        test_address=routing.test_address(), unchecked=service.unchecked_by_target(campaign),
        template_saved=saved is not None,
        kind_label=dict(template_form.kind.choices).get(kind, kind),
        locale_label=dict(template_form.locale.choices).get(template_form.locale.data, ""),
        language_names=lambda codes: service.language_names(codes, lang),
        organisation_names=ORGANISATION_NAMES,
        target_groups=service.grouped(all_targets, lang),
        source_date=lambda raw: service.source_date_text(raw, lang),
        preview=preview, problem=problem, placeholders=PLACEHOLDERS,
        deliver_form=deliver_form, reply_form=reply_form, plain_form=PlainForm(),
        all_targets=all_targets, chosen=chosen,
        counts=_status_counts(service.letter_counts(campaign)),
        timeline=service.timeline(campaign.id),
        template_locales=service.template_locales(campaign, kind), kind=kind), status


@bp.route("/organize/c/<slug>/letters", methods=["GET", "POST"])
@campaign_access
def console(campaign: Campaign) -> ResponseReturnValue:
    if request.method == "GET":
        return _console(campaign)
    form = TemplateForm()
    form.locale.choices = _locale_choices(campaign)
    if not form.validate():
        return _console(campaign, template_form=form, status=422)
    try:
        if request.form.get("action") == "save":
            service.save_template(campaign, form.kind.data, form.locale.data,
                                  form.subject.data, form.body.data)
            flash(_("Template saved."))
            return redirect(url_for("letters.console", slug=campaign.slug, kind=form.kind.data,
                                    locale=form.locale.data), code=303)
        rendered = service.preview(campaign, form.subject.data, form.body.data, form.locale.data,
                                   form.kind.data)
    except TemplateProblem as problem:
        return _console(campaign, template_form=form, problem=problem, status=422)
    return _console(campaign, template_form=form, preview=rendered)


@bp.post("/organize/c/<slug>/letters/targets")
@campaign_access
def choose_targets(campaign: Campaign) -> ResponseReturnValue:
    form = PlainForm()
    if not form.validate():
        abort(400)
    known = {t.id for t in targets.all_targets()}
    offered = {int(v) for v in request.form.getlist("offered") if v.isdigit()} & known
    preselected = {int(v) for v in request.form.getlist("preselected") if v.isdigit()} & known
    service.set_campaign_targets(campaign, offered, preselected)
    flash(_("Institutions saved."))
    return redirect(url_for("letters.console", slug=campaign.slug), code=303)


@bp.get("/organize/c/<slug>/letters/dossier.pdf")
@campaign_access
def dossier(campaign: Campaign) -> ResponseReturnValue:
    locale = request.args.get("locale", campaign.default_locale)
    if locale not in i18n.LANGUAGES:
        abort(404)
    pdf, _data = service.dossier_pdf(campaign, locale)
    audit.note(current_user, "letters.dossier", campaign_id=campaign.id, target=locale)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-petition-{locale}.pdf"')
    return response


@bp.post("/organize/c/<slug>/letters/replies")
@campaign_access
def log_reply(campaign: Campaign) -> ResponseReturnValue:
    form = ReplyForm()
    all_targets = {t.id: t for t in targets.all_targets()}
    form.target_id.choices = [(t.id, t.name) for t in all_targets.values()]
    if not form.validate():
        return _console(campaign, reply_form=form, status=422)
    service.log_reply(campaign, all_targets[form.target_id.data],
                      received_on=form.received_on.data, summary=form.summary.data,
                      link=form.link.data)
    flash(_("Reply recorded."))
    return redirect(url_for("letters.console", slug=campaign.slug), code=303)


@bp.post("/organize/letters/mode")
@admin_required
def mode() -> ResponseReturnValue:
    """Switch letters between test mode and live (admins only; the audit log keeps it)."""
    form = PlainForm()
    if not form.validate():
        abort(400)
    live = request.form.get("live") == "1"
    if live and not current_app.config.get("LETTERS_LIVE"):
        flash(_("The server does not allow live letters: start it with LETTERS_LIVE=true."))
    else:
        routing.set_live(current_user, live)
        flash(_("Letters are live: they reach the institutions.") if live else
              _("Letters are in test mode."))
    slug = request.form.get("next", "")
    campaign = campaigns.campaign_by_slug(slug, public=False) if slug else None
    if campaign is None:
        return redirect(url_for("organizers.dashboard"), code=303)
    return redirect(url_for("letters.console", slug=campaign.slug), code=303)
