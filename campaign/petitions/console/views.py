"""Console pages of petitions: signatures (moderation, exports), paper imports, analytics,
updates to supporters. Mounted in the organizers' console shell (organizers/console.py);
every view taking `slug` goes through campaign_access."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import i18n, spreadsheet
from ...campaigns.models import Campaign
from ...countries import country_name
from ...organizers import exports, registry
from ...organizers.access import campaign_access
from ...organizers.console import ConsolePages
from ...organizers.console import render_page as _render
from ...organizers.forms import EmptyForm, PaperImportForm, ReasonForm, UpdateForm
from ...organizers.models import CampaignUpdate
from .. import custom_fields
from ..models import Signature, SignatureField
from . import analytics, moderation, paper, updates
from .forms import UpdateAudienceForm

pages = ConsolePages()


def register_tabs(app: Flask) -> None:
    registry.register_tab(app, "signatures", _l("Signatures"), "organizers.signatures", 30)
    registry.register_tab(app, "paper", _l("Paper signatures"), "organizers.paper_import", 40)
    registry.register_tab(app, "analytics", _l("Analytics"), "organizers.analytics_page", 50)
    registry.register_tab(app, "updates", _l("Updates"), "organizers.updates_page", 60)
    registry.register_tab(app, "safety", _l("Safety"), "organizers.safety", 80)


# --- signatures ------------------------------------------------------------------------------

@pages.get("/c/<slug>/signatures")
@campaign_access
def signatures(campaign: Campaign) -> ResponseReturnValue:
    flt = moderation.SignatureFilter.from_args(request.args)
    rows, next_before = moderation.page(campaign.id, flt,
                                        before_id=request.args.get("before", type=int))
    return _render("organizers/signatures.html", campaign, rows=rows, flt=flt,
                   next_before=next_before, reason_form=ReasonForm(), action_form=EmptyForm())


def _signature(campaign: Campaign, signature_id: int) -> Signature:
    signature = moderation.signature_in(campaign.id, signature_id)
    if signature is None:
        abort(404)
    return signature


@pages.post("/c/<slug>/signatures/<int:signature_id>/invalidate")
@campaign_access
def signature_invalidate(campaign: Campaign, signature_id: int) -> ResponseReturnValue:
    signature = _signature(campaign, signature_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Please give a reason."))
    else:
        moderation.invalidate(current_user, signature, form.reason.data)
        flash(_("Signature invalidated."))
    return redirect(request.referrer if _same_console(request.referrer)
                    else url_for("organizers.signatures", slug=campaign.slug))


@pages.post("/c/<slug>/signatures/<int:signature_id>/restore")
@campaign_access
def signature_restore(campaign: Campaign, signature_id: int) -> ResponseReturnValue:
    signature = _signature(campaign, signature_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    moderation.restore(current_user, signature)
    flash(_("Signature restored."))
    return redirect(url_for("organizers.signatures", slug=campaign.slug))


@pages.post("/c/<slug>/signatures/<int:signature_id>/comment/<any(hide, show):action>")
@campaign_access
def signature_comment(campaign: Campaign, signature_id: int, action: str
                      ) -> ResponseReturnValue:
    signature = _signature(campaign, signature_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    moderation.set_comment_hidden(current_user, signature, action == "hide")
    return redirect(url_for("organizers.signatures", slug=campaign.slug))


def _same_console(url: str | None) -> bool:
    return url is not None and url.startswith(request.host_url + "organize/")


def _download(campaign: Campaign, kind: str, mimetype: str,
              generator: Callable[[int, moderation.SignatureFilter], Iterator[str]]) -> Response:
    flt = moderation.SignatureFilter.from_args(request.args)
    moderation.audit_export(current_user, campaign.id, kind, flt)
    response = Response(stream_with_context(generator(campaign.id, flt)), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-signatures.{kind}"')
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.get("/c/<slug>/signatures.<any(csv, xlsx):kind>")
@campaign_access
def export_sheet(campaign: Campaign, kind: str) -> ResponseReturnValue:
    flt = moderation.SignatureFilter.from_args(request.args)
    moderation.audit_export(current_user, campaign.id, kind, flt)
    # The CSV reads its cells as text straight from the cursor (moderation.export_text_chunks).
    chunks = (moderation.export_text_chunks(campaign.id, flt) if kind == "csv"
              else spreadsheet.batched(moderation.export_rows(campaign.id, flt)))
    return exports.download_chunks(kind, moderation.export_header(campaign.id), chunks,
                                   f"{campaign.slug}-signatures")


@pages.get("/c/<slug>/signatures.json")
@campaign_access
def export_json(campaign: Campaign) -> ResponseReturnValue:
    return _download(campaign, "json", "application/json", moderation.export_json)


# --- paper signatures -------------------------------------------------------------------------

@pages.route("/c/<slug>/paper", methods=["GET", "POST"])
@campaign_access
def paper_import(campaign: Campaign) -> ResponseReturnValue:
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
                   columns=paper.COLUMNS,
                   field_keys=[f.key for f in custom_fields.fields_of(campaign.id)])


# --- analytics --------------------------------------------------------------------------------

@pages.get("/c/<slug>/analytics")
@campaign_access
def analytics_page(campaign: Campaign) -> ResponseReturnValue:
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

@pages.route("/c/<slug>/updates", methods=["GET", "POST"])
@campaign_access
def updates_page(campaign: Campaign) -> ResponseReturnValue:
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            item = updates.save(current_user, campaign, form.texts())
        except updates.UpdateError:
            form[f"subject_{campaign.default_locale}"].errors.append(_(
                "Write at least the subject and message in the campaign's default language."))
        else:
            flash(_("Update saved. Check it, then send it."))
            return redirect(url_for("organizers.update_detail", slug=campaign.slug,
                                    update_id=item.id))
    return _render("organizers/updates.html", campaign, 422 if form.errors else 200,
                   form=form, items=updates.listing(campaign.id),
                   audience=updates.audience(campaign.id), action_form=EmptyForm())


SOURCE_LABELS = {"web": _l("on the website"), "widget": _l("through the widget"),
                 "api": _l("through the API"), "paper": _l("on paper")}


def _update(campaign: Campaign, update_id: int) -> CampaignUpdate:
    item = updates.get(campaign.id, update_id)
    if item is None:
        abort(404)
    return item


def _audience_form(campaign: Campaign, formdata: object, **kwargs: Any) -> UpdateAudienceForm:
    """The audience form with the languages, countries and sources present (and counts)."""
    present = updates.segment_choices(campaign.id)
    locale = i18n.format_locale(i18n.current_language())
    labels: dict[str, Callable[[str], str]] = {
        "languages": lambda code: i18n.LANGUAGES[code].native_name if code in i18n.LANGUAGES
        else code,
        "countries": lambda code: country_name(code, locale),
        "sources": lambda code: str(SOURCE_LABELS.get(code, code)),
    }
    form = UpdateAudienceForm(formdata, **kwargs).with_choices({
        key: [(value, f"{labels[key](value)} ({format_number(count)})")
              for value, count in present[key]] for key in present})
    return _with_answers(form, campaign)


def _field_label(definition: SignatureField, campaign: Campaign) -> str:
    return custom_fields.label_of(definition.labels, i18n.current_language(),
                                  campaign.default_locale)


def _answer_label(definition: SignatureField, value: str, campaign: Campaign) -> str:
    """How an answer reads in the console: an option's label, ticked or not, or the text."""
    if definition.kind == "checkbox":
        said: str = _("ticked") if value == "yes" else _("not ticked")
        return said
    if definition.kind == "choice":
        for option in definition.choices:
            if option["value"] == value:
                return custom_fields.label_of(option.get("labels") or {},
                                              i18n.current_language(),
                                              campaign.default_locale) or value
    return value


def _with_answers(form: UpdateAudienceForm, campaign: Campaign) -> UpdateAudienceForm:
    """The custom fields (of the classes an audience may use) and their answers, counted
    among opted-in signers for choices and boxes."""
    definitions = updates.segment_fields(campaign.id)
    counts = updates.field_value_counts(campaign.id)
    groups: dict[str, list[tuple[str, str]]] = {}
    for d in definitions:
        if d.kind in ("choice", "checkbox"):
            values = updates.CHECKBOX_VALUES if d.kind == "checkbox" else [
                option["value"] for option in d.choices]
            count = counts.get(d.key, {})
            options = [(f"{d.key}:{value}", _answer_label(d, value, campaign)
                        + f" ({format_number(count.get(value, 0))})") for value in values]
        else:
            options = [(f"{d.key}:", _("equal to the answer typed below"))]
        groups[_field_label(d, campaign)] = options
    return form.with_answers(groups, {d.key: d.kind for d in definitions})


def _segment(form: UpdateAudienceForm) -> updates.Segment:
    key, value = form.field_segment()
    data = {key: form[key].data for key in ("languages", "countries", "sources")}
    return updates.Segment.from_dict({**data, "field": key, "value": value})


def _segment_note(campaign: Campaign, segment: updates.Segment) -> str | None:
    """The custom-field part of an audience in words, for the confirm step."""
    if not segment.field:
        return None
    definition = next((d for d in updates.segment_fields(campaign.id)
                       if d.key == segment.field), None)
    if definition is None:
        return None
    note: str = _("Only signers whose answer to “%(field)s” is “%(value)s”.",
                  field=_field_label(definition, campaign),
                  value=_answer_label(definition, segment.value, campaign))
    return note


@pages.get("/c/<slug>/updates/<int:update_id>")
@campaign_access
def update_detail(campaign: Campaign, update_id: int) -> ResponseReturnValue:
    item = _update(campaign, update_id)
    previews = {lang: updates.preview(campaign, item, lang) for lang in item.texts}
    return _render("organizers/update.html", campaign, item=item, previews=previews,
                   update_state=updates.status(item),
                   report=updates.report(item) if item.sent_at else None,
                   audience_form=_audience_form(campaign, None, meta={"csrf": False}),
                   action_form=EmptyForm())


@pages.post("/c/<slug>/updates/<int:update_id>/test")
@campaign_access
def update_test(campaign: Campaign, update_id: int) -> ResponseReturnValue:
    item = _update(campaign, update_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    updates.test_send(current_user, campaign, item)
    flash(_("A test copy in each language is on its way to %(email)s.",
            email=current_user.email))
    return redirect(url_for("organizers.update_detail", slug=campaign.slug, update_id=item.id))


@pages.get("/c/<slug>/updates/<int:update_id>/confirm")
@campaign_access
def update_confirm(campaign: Campaign, update_id: int) -> ResponseReturnValue:
    """The last step: how many people, in which languages, and when."""
    item = _update(campaign, update_id)
    form = _audience_form(campaign, request.args, meta={"csrf": False})
    if item.sent_at is not None or not form.validate():
        previews = {lang: updates.preview(campaign, item, lang) for lang in item.texts}
        return _render("organizers/update.html", campaign, 422, item=item, previews=previews,
                       update_state=updates.status(item),
                       report=updates.report(item) if item.sent_at else None,
                       audience_form=form, action_form=EmptyForm())
    segment = _segment(form)
    counted_audience = updates.count_audience(campaign, item, segment)
    return _render("organizers/update_confirm.html", campaign, item=item,
                   audience=counted_audience, form=_audience_form(campaign, request.args),
                   send_at=form.send_at.data, segment_note=_segment_note(campaign, segment))


@pages.post("/c/<slug>/updates/<int:update_id>/send")
@campaign_access
def update_send(campaign: Campaign, update_id: int) -> ResponseReturnValue:
    item = _update(campaign, update_id)
    form = _audience_form(campaign, request.form)
    if not form.validate():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(str(error) for field in form for error in field.errors))
        return redirect(url_for("organizers.update_detail", slug=campaign.slug,
                                update_id=item.id))
    try:
        if form.send_at.data is not None:
            updates.schedule(current_user, campaign, item, _segment(form), form.send_at.data)
            flash(_("The update will be sent at %(when)s UTC.",
                    when=format_datetime(form.send_at.data, "short", rebase=False)))
        else:
            count = updates.send(current_user, campaign, item, _segment(form))
            flash(ngettext("The update is on its way to %(num)s supporter.",
                           "The update is on its way to %(num)s supporters.", count))
    except updates.UpdateError as error:
        flash(_("Choose a time in the future.") if str(error) == "past"
              else _("This update has been sent already."))
    return redirect(url_for("organizers.updates_page", slug=campaign.slug))


@pages.post("/c/<slug>/updates/<int:update_id>/unschedule")
@campaign_access
def update_unschedule(campaign: Campaign, update_id: int) -> ResponseReturnValue:
    item = _update(campaign, update_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        updates.schedule(current_user, campaign, item, updates.Segment.from_dict(item.segment),
                         None)
    except updates.UpdateError:
        flash(_("This update has been sent already."))
    else:
        flash(_("The schedule is cancelled; the update is a draft again."))
    return redirect(url_for("organizers.update_detail", slug=campaign.slug, update_id=item.id))
