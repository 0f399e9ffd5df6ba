from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import i18n
from ..api import registry as api_registry
from ..campaigns import service as campaigns
from ..campaigns.addressees import register_addressees
from ..campaigns.next_steps import NextStep, register_next_step
from ..campaigns.sections import register_section
from ..emails import external_url
from ..extensions import limiter
from ..organizers import registry as console_registry
from ..organizers.access import campaign_access
from ..privacy.service import register_data_source
from ..targets import service as targets
from ..tokens import ExpiredToken, InvalidToken
from . import service
from .forms import DeliverForm, LetterForm, PlainForm, ReplyForm, TemplateForm
from .templating import PLACEHOLDERS, TemplateProblem

bp = Blueprint("letters", __name__)
console_registry.register_tab("letters", _l("Letters and delivery"), "letters.console", 75)
register_data_source("letters", service.export_letters, service.erase_letters)


def _delivery_for_api(campaign) -> list[dict]:
    """The public delivery timeline as data, under `extensions.delivery` in the campaign API."""
    return [{"kind": event["kind"], "date": event["when"].isoformat(),
             "target": event["target"].name, "organisation": event["target"].organisation,
             "signatures": event.get("count"), "summary": event.get("summary"),
             "link": event.get("link")}
            for event in service.timeline(campaign.id)]


api_registry.register_campaign_extension("delivery", _delivery_for_api)


def _letters_section(campaign, lang):
    events = service.timeline(campaign.id)
    can_write = campaign.status != "closed" and bool(service.offered_targets(campaign))
    if not events and not can_write:
        return None  # no institutions and nothing to report: no empty "Institutions" heading
    return {"events": events, "can_write": can_write}


register_section("letters", "letters/_section.html", 30, _letters_section)


def _write_step(campaign, lang):
    """After signing: write to the institutions (only when there are some to write to)."""
    if campaign.status == "closed" or not service.offered_targets(campaign):
        return None
    return NextStep("letters", _("Write to the institutions"),
                    _("A letter in your own words adds weight to the petition."),
                    external_url("letters.write", lang=lang, slug=campaign.slug))


register_next_step("letters", 10, _write_step)
register_addressees(service.addressed_names)


# --- supporters ------------------------------------------------------------------------

def _selected_ids(offered) -> set[int]:
    allowed = {target.id for target, _pre in offered}
    chosen = set()
    for raw in request.form.getlist("targets"):
        if raw.isdigit() and int(raw) in allowed:
            chosen.add(int(raw))
    return chosen


@bp.route("/<lang:lang>/c/<slug>/letters", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def write(slug):
    campaign = campaigns.campaign_by_slug(slug)
    if campaign is None or campaign.status == "closed":
        abort(404)
    lang = i18n.current_language()
    offered = service.offered_targets(campaign)
    form = LetterForm()
    subject, body, template = service.draft(campaign, lang)
    page = {"campaign": campaign, "text": campaign.text_for(lang), "form": form,
            "offered": offered, "template": template}
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
    outcome = service.send_letters(
        campaign, targets=targets.targets_by_ids(selected), name=form.full_name.data.strip(),
        email=form.email.data, place=(form.place.data or "").strip(),
        subject=form.subject.data.strip(), body=form.body.data, locale=lang)
    return render_template("letters/sent.html", outcome=outcome, **page)


@bp.get("/letters/confirm/<token>")
def confirm(token):
    try:
        letters = service.confirm_batch(token)
    except ExpiredToken:
        return render_template("petitions/link_problem.html", problem="expired"), 410
    except InvalidToken:
        return render_template("petitions/link_problem.html", problem="invalid"), 400
    if not letters:
        return render_template("petitions/link_problem.html", problem="gone"), 404
    campaign = letters[0].campaign
    g.lang = letters[0].locale if letters[0].locale in i18n.INTERFACE_LANGUAGES else "en"
    return render_template("letters/confirmed.html", letters=letters, campaign=campaign)


# --- organizers ------------------------------------------------------------------------

def _locale_choices(campaign):
    codes = list(dict.fromkeys(campaign.locales + list(i18n.CONTENT_LANGUAGES)))
    return [(code, i18n.LANGUAGES[code].native_name) for code in codes if code in i18n.LANGUAGES]


def _console(campaign, *, template_form=None, preview=None, problem=None, status=200,
             deliver_form=None, reply_form=None):
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
    deliver_form = deliver_form or DeliverForm(formdata=None, locale=campaign.default_locale)
    deliver_form.locale.choices = _locale_choices(campaign)
    reply_form = reply_form or ReplyForm(formdata=None)
    all_targets = targets.all_targets()
    reply_form.target_id.choices = [(t.id, f"{t.organisation}: {t.name}") for t in all_targets]
    chosen = {t.id: pre for t, pre in service.offered_targets(campaign)}
    return render_template(
        "letters/console.html", campaign=campaign, template_form=template_form,
        preview=preview, problem=problem, placeholders=PLACEHOLDERS,
        deliver_form=deliver_form, reply_form=reply_form, plain_form=PlainForm(),
        all_targets=all_targets, chosen=chosen, counts=service.letter_counts(campaign),
        timeline=service.timeline(campaign.id),
        template_locales=service.template_locales(campaign, kind), kind=kind), status


@bp.route("/organize/c/<slug>/letters", methods=["GET", "POST"])
@campaign_access
def console(campaign):
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
        rendered = service.preview(campaign, form.subject.data, form.body.data, form.locale.data)
    except TemplateProblem as problem:
        return _console(campaign, template_form=form, problem=problem, status=422)
    return _console(campaign, template_form=form, preview=rendered)


@bp.post("/organize/c/<slug>/letters/targets")
@campaign_access
def choose_targets(campaign):
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
def dossier(campaign):
    locale = request.args.get("locale", campaign.default_locale)
    if locale not in i18n.LANGUAGES:
        abort(404)
    pdf, _data = service.dossier_pdf(campaign, locale)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-petition-{locale}.pdf"')
    return response


@bp.post("/organize/c/<slug>/letters/deliver")
@campaign_access
def deliver(campaign):
    form = DeliverForm()
    form.locale.choices = _locale_choices(campaign)
    chosen = {int(v) for v in request.form.getlist("targets") if v.isdigit()}
    chosen_targets = targets.targets_by_ids(chosen)
    if not form.validate() or not chosen_targets:
        if not chosen_targets:
            flash(_("Choose at least one institution."))
        return _console(campaign, deliver_form=form, status=422)
    try:
        deliveries = service.deliver(campaign, chosen_targets, form.locale.data,
                                     signed_by=current_user.name or current_user.email)
    except (service.LetterProblem, TemplateProblem) as problem:
        flash(str(problem))
        return _console(campaign, deliver_form=form, status=422)
    flash(_("The petition was delivered to %(num)s institution(s).", num=len(deliveries)))
    return redirect(url_for("letters.console", slug=campaign.slug), code=303)


@bp.post("/organize/c/<slug>/letters/replies")
@campaign_access
def log_reply(campaign):
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
