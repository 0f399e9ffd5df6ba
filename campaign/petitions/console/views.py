"""Console pages of one campaign: settings, texts, status, signatures, paper imports,
exports, analytics, updates. Every view taking `slug` goes through campaign_access."""
from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import i18n
from ..audit import service as audit
from ..campaigns.service import render_markdown
from ..petitions.models import Signature
from . import analytics, editing, moderation, paper, registry, updates
from . import service as accounts
from .access import campaign_access
from .forms import (
    CampaignSettingsForm,
    CampaignTextForm,
    EmptyForm,
    MemberForm,
    PaperImportForm,
    ReasonForm,
    UpdateForm,
)
from .views import bp

EDIT_ERRORS = {
    "slug_format": _l("Use 1 to 80 lower-case letters, digits and hyphens."),
    "slug_taken": _l("Another campaign uses this address."),
    "slug_fixed": _l("The address cannot change once the campaign has been published."),
    "language": _l("Choose one of the listed languages."),
    "goal": _l("The goal must be a positive number."),
    "title_needed": _l("A title is needed (leave every field empty to drop this language)."),
    "default_text_needed": _l("The campaign needs a title in its default language."),
    "transition": _l("The campaign cannot move to that status from its current one."),
    "deadline_past": _l("The deadline has passed: move it before publishing."),
    "no_such_user": _l("No active account has this address."),
}
STATUS_ACTIONS = {"live": _l("Publish"), "closed": _l("Close (stop taking signatures)"),
                  "delivered": _l("Mark as delivered")}

registry.register_tab("overview", _l("Overview"), "organizers.campaign_home", 0)
registry.register_tab("settings", _l("Settings"), "organizers.campaign_settings", 10)
registry.register_tab("texts", _l("Texts"), "organizers.campaign_texts", 20)
registry.register_tab("signatures", _l("Signatures"), "organizers.signatures", 30)
registry.register_tab("paper", _l("Paper signatures"), "organizers.paper_import", 40)
registry.register_tab("analytics", _l("Analytics"), "organizers.analytics_page", 50)
registry.register_tab("updates", _l("Updates"), "organizers.updates_page", 60)
registry.register_tab("audit", _l("History"), "organizers.campaign_audit", 90)


def _render(template, campaign, status=200, **context):
    return render_template(template, campaign=campaign, tabs=registry.tabs(),
                           **context), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def campaign_new():
    form = CampaignSettingsForm()
    if request.method == "GET":
        form.default_locale.data, form.goal.data = "en", 1000
    if form.validate_on_submit():
        try:
            campaign = editing.create(current_user, form.slug.data, goal=form.goal.data,
                                      default_locale=form.default_locale.data,
                                      deadline=form.deadline.data)
        except editing.EditError as exc:
            form.slug.errors.append(EDIT_ERRORS[str(exc)])
        else:
            return redirect(url_for("organizers.campaign_text", slug=campaign.slug,
                                    locale=campaign.default_locale))
    return render_template("organizers/campaign_new.html", form=form), \
        422 if form.errors else 200


@bp.get("/c/<slug>/")
@campaign_access
def campaign_home(campaign):
    return _render("organizers/campaign.html", campaign,
                   missing=editing.missing_by_language(campaign),
                   transitions=[(t, STATUS_ACTIONS[t])
                                for t in editing.allowed_transitions(campaign)],
                   members=accounts.members(campaign.id), member_form=MemberForm(),
                   action_form=EmptyForm())


@bp.post("/c/<slug>/status/<target>")
@campaign_access
def campaign_status(campaign, target):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        editing.transition(current_user, campaign, target)
    except editing.EditError as exc:
        flash(EDIT_ERRORS[str(exc)])
        return redirect(url_for("organizers.campaign_home", slug=campaign.slug)), 303
    flash(_("The campaign is now: %(status)s.", status=target))
    return redirect(url_for("organizers.campaign_home", slug=campaign.slug))


@bp.post("/c/<slug>/members")
@campaign_access
def campaign_members(campaign):
    form = MemberForm()
    if form.validate_on_submit():
        try:
            editing.add_member_by_email(current_user, campaign, form.email.data)
        except editing.EditError as exc:
            flash(EDIT_ERRORS[str(exc)])
        else:
            flash(_("Member added."))
    return redirect(url_for("organizers.campaign_home", slug=campaign.slug))


@bp.route("/c/<slug>/settings", methods=["GET", "POST"])
@campaign_access
def campaign_settings(campaign):
    form = CampaignSettingsForm(obj=campaign)
    if form.validate_on_submit():
        try:
            editing.update_settings(current_user, campaign, slug=form.slug.data,
                                    goal=form.goal.data,
                                    default_locale=form.default_locale.data,
                                    deadline=form.deadline.data)
        except editing.EditError as exc:
            field = form.default_locale if str(exc) == "language" else form.slug
            field.errors.append(EDIT_ERRORS[str(exc)])
        else:
            flash(_("Saved."))
            return redirect(url_for("organizers.campaign_settings", slug=campaign.slug))
    return _render("organizers/campaign_settings.html", campaign, 422 if form.errors else 200,
                   form=form, settings_blocks=registry.settings_blocks())


@bp.get("/c/<slug>/texts")
@campaign_access
def campaign_texts(campaign):
    return redirect(url_for("organizers.campaign_text", slug=campaign.slug,
                            locale=campaign.default_locale))


@bp.route("/c/<slug>/texts/<locale>", methods=["GET", "POST"])
@campaign_access
def campaign_text(campaign, locale):
    if locale not in i18n.CONTENT_LANGUAGES:
        abort(404)
    text = next((t for t in campaign.texts if t.locale == locale), None)
    form = CampaignTextForm(obj=text)
    if form.validate_on_submit():
        try:
            editing.save_text(current_user, campaign, locale, title=form.title.data or "",
                              summary=form.summary.data or "",
                              body_markdown=form.body_markdown.data or "")
        except editing.EditError as exc:
            form.title.errors.append(EDIT_ERRORS[str(exc)])
        else:
            flash(_("Saved."))
            return redirect(url_for("organizers.campaign_text", slug=campaign.slug,
                                    locale=locale))
    return _render("organizers/campaign_text.html", campaign, 422 if form.errors else 200,
                   form=form, locale=locale, missing=editing.missing_by_language(campaign))


@bp.get("/c/<slug>/preview/<locale>")
@campaign_access
def campaign_preview(campaign, locale):
    if locale not in i18n.CONTENT_LANGUAGES:
        abort(404)
    text = next((t for t in campaign.texts if t.locale == locale), None)
    return _render("organizers/campaign_preview.html", campaign, text=text, locale=locale,
                   body_html=render_markdown(text.body_markdown) if text else "")


# --- signatures ------------------------------------------------------------------------------

@bp.get("/c/<slug>/signatures")
@campaign_access
def signatures(campaign):
    flt = moderation.SignatureFilter.from_args(request.args)
    rows, next_before = moderation.page(campaign.id, flt,
                                        before_id=request.args.get("before", type=int))
    return _render("organizers/signatures.html", campaign, rows=rows, flt=flt,
                   next_before=next_before, reason_form=ReasonForm(), action_form=EmptyForm())


def _signature(campaign, signature_id) -> Signature:
    signature = moderation.signature_in(campaign.id, signature_id)
    if signature is None:
        abort(404)
    return signature


@bp.post("/c/<slug>/signatures/<int:signature_id>/invalidate")
@campaign_access
def signature_invalidate(campaign, signature_id):
    signature = _signature(campaign, signature_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Please give a reason."))
    else:
        moderation.invalidate(current_user, signature, form.reason.data)
        flash(_("Signature invalidated."))
    return redirect(request.referrer if _same_console(request.referrer)
                    else url_for("organizers.signatures", slug=campaign.slug))


@bp.post("/c/<slug>/signatures/<int:signature_id>/restore")
@campaign_access
def signature_restore(campaign, signature_id):
    signature = _signature(campaign, signature_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    moderation.restore(current_user, signature)
    flash(_("Signature restored."))
    return redirect(url_for("organizers.signatures", slug=campaign.slug))


@bp.post("/c/<slug>/signatures/<int:signature_id>/comment/<any(hide, show):action>")
@campaign_access
def signature_comment(campaign, signature_id, action):
    signature = _signature(campaign, signature_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    moderation.set_comment_hidden(current_user, signature, action == "hide")
    return redirect(url_for("organizers.signatures", slug=campaign.slug))


def _same_console(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url + "organize/")


def _download(campaign, kind: str, mimetype: str, generator):
    flt = moderation.SignatureFilter.from_args(request.args)
    moderation.audit_export(current_user, campaign.id, kind, flt)
    response = Response(stream_with_context(generator(campaign.id, flt)), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-signatures.{kind}"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/c/<slug>/signatures.csv")
@campaign_access
def export_csv(campaign):
    return _download(campaign, "csv", "text/csv; charset=utf-8", moderation.export_csv)


@bp.get("/c/<slug>/signatures.json")
@campaign_access
def export_json(campaign):
    return _download(campaign, "json", "application/json", moderation.export_json)


# --- paper signatures -------------------------------------------------------------------------

@bp.route("/c/<slug>/paper", methods=["GET", "POST"])
@campaign_access
def paper_import(campaign):
    form = PaperImportForm()
    report, file_error = None, None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = paper.read(upload.read(), campaign.id)
        except paper.ImportFileError as exc:
            file_error, status = exc.message, 422
        else:
            paper.import_rows(current_user, campaign, report,
                              filename=upload.filename or "", note=form.note.data or "",
                              valid_only=form.valid_only.data)
            status = 422 if report.errors and not report.imported else 200
    elif form.errors:
        status = 422
    return _render("organizers/paper.html", campaign, status, form=form, report=report,
                   file_error=file_error, batches=paper.batches(campaign.id),
                   columns=paper.COLUMNS)


# --- analytics --------------------------------------------------------------------------------

@bp.get("/c/<slug>/analytics")
@campaign_access
def analytics_page(campaign):
    days = analytics.per_day(campaign.id)
    counts = analytics.status_counts(campaign.id)
    return _render(
        "organizers/analytics.html", campaign, counts=counts,
        rate=analytics.confirmation_rate(counts),
        chart=analytics.bar_chart_svg(days, title=_("Confirmed signatures per day")),
        days=days, countries=analytics.by_column(campaign.id, Signature.country),
        by_language=analytics.by_column(campaign.id, Signature.locale),
        panels=registry.panels(campaign))


# --- updates to supporters --------------------------------------------------------------------

@bp.route("/c/<slug>/updates", methods=["GET", "POST"])
@campaign_access
def updates_page(campaign):
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            item = updates.save(current_user, campaign, form.texts())
        except updates.UpdateError:
            form[f"subject_{campaign.default_locale}"].errors.append(_(
                "Write at least the subject and message in the campaign's default language."))
        else:
            flash(_("Update saved. Check it, then send it."))
            return redirect(url_for("organizers.updates_page", slug=campaign.slug,
                                    _anchor=f"update-{item.id}"))
    return _render("organizers/updates.html", campaign, 422 if form.errors else 200,
                   form=form, items=updates.listing(campaign.id),
                   audience=updates.audience(campaign.id), action_form=EmptyForm())


@bp.post("/c/<slug>/updates/<int:update_id>/send")
@campaign_access
def update_send(campaign, update_id):
    item = updates.get(campaign.id, update_id)
    if item is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        count = updates.send(current_user, campaign, item)
    except updates.UpdateError:
        flash(_("This update has been sent already."))
    else:
        flash(_("The update is on its way to %(count)s supporters.", count=count))
    return redirect(url_for("organizers.updates_page", slug=campaign.slug))


@bp.get("/c/<slug>/history")
@campaign_access
def campaign_audit(campaign):
    return _render("organizers/audit.html", campaign,
                   entries=audit.entries(campaign_id=campaign.id, limit=200),
                   next_before=None)
