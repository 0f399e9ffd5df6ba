"""The console's delivery pages: choose, preview (what goes to whom), send; the dossier job's
progress and download; the full export; reopening. Thin: the rules are in delivery.py."""
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from .. import i18n
from ..audit import service as audit
from ..campaigns.models import Campaign
from ..organization import service as organization_service
from ..organizers import registry as console_registry
from ..organizers.access import campaign_access
from ..organizers.models import User
from ..targets import service as targets
from . import delivery, replies, service
from .forms import DeliveryForm, PlainForm, SendDeliveryForm
from .templating import TemplateProblem

bp = Blueprint("delivery", __name__, url_prefix="/organize/c/<slug>/delivery")


def _locale_choices(campaign: Campaign) -> list[tuple[str, str]]:
    from .views import _locale_choices as choices

    return choices(campaign)


def _signer(user: User) -> str:
    return (user.name or "").strip() or user.email


def _start_page(campaign: Campaign, form: DeliveryForm, *, chosen: set[int] | None = None,
                status: int = 200) -> ResponseReturnValue:
    offered = service.offered_targets(campaign)
    if chosen is None:
        chosen = {target.id for target, pre in offered if pre}
    return render_template(
        "letters/delivery.html", campaign=campaign, form=form, offered=offered, chosen=chosen,
        jobs=delivery.latest_jobs(campaign), live=delivery.letters_live(),
        organization=organization_service.get(), plain_form=PlainForm(),
        last=delivery.last_delivery_summary(campaign.id, i18n.current_language()),
        inline_limit=delivery.inline_limit(), replies=replies.replies_of(campaign),
        tabs=console_registry.tabs()), status


@bp.get("/")
@campaign_access
def start(campaign: Campaign) -> ResponseReturnValue:
    form = DeliveryForm(formdata=None, locale=campaign.default_locale)
    form.locale.choices = _locale_choices(campaign)
    delivery.warm_up()  # the dossier's fonts load while the organizer chooses
    return _start_page(campaign, form)


@bp.post("/")
@campaign_access
def prepare(campaign: Campaign) -> ResponseReturnValue:
    form = DeliveryForm()
    form.locale.choices = _locale_choices(campaign)
    offered = {target.id for target, _pre in service.offered_targets(campaign)}
    chosen = {int(v) for v in request.form.getlist("targets") if v.isdigit()} & offered
    if not form.validate() or not chosen:
        if not chosen:
            flash(_("Choose at least one institution."))
        return _start_page(campaign, form, chosen=chosen, status=422)
    job = delivery.request_dossier(campaign, form.locale.data, targets.targets_by_ids(chosen),
                                   _signer(current_user))
    return redirect(url_for("delivery.preview", slug=campaign.slug, job_id=job.id), code=303)


@bp.get("/<int:job_id>")
@campaign_access
def preview(campaign: Campaign, job_id: int) -> ResponseReturnValue:
    job = delivery.job_of(campaign, job_id) or abort(404)
    letters, problem = [], None
    if job.status in ("done", "sent"):
        assert job.signature_count is not None
        try:
            letters = delivery.cover_letters(
                campaign, job.locale, targets.targets_by_ids(set(job.target_ids)),
                signed_by=job.signed_by, count=job.signature_count)
        except (service.LetterProblem, TemplateProblem) as error:
            problem = str(error)
    return render_template(
        "letters/delivery_preview.html", campaign=campaign, job=job, letters=letters,
        problem=problem, form=SendDeliveryForm(formdata=None), live=delivery.letters_live(),
        organization=organization_service.get(), tabs=console_registry.tabs(),
        filename=delivery.attachment_name(campaign, job.locale),
        reply_to=organization_service.reply_address(current_user.email,
                                                    organization_service.get()))


@bp.post("/<int:job_id>/send")
@campaign_access
def send(campaign: Campaign, job_id: int) -> ResponseReturnValue:
    job = delivery.job_of(campaign, job_id) or abort(404)
    form = SendDeliveryForm()
    if not form.validate():
        abort(400)
    try:
        deliveries = delivery.deliver(campaign, job, mode=form.mode.data, user=current_user)
    except (service.LetterProblem, TemplateProblem) as problem:
        flash(str(problem))
        return redirect(url_for("delivery.preview", slug=campaign.slug, job_id=job.id),
                        code=303)
    flash(_("The petition was delivered to %(num)s institution(s).", num=len(deliveries)))
    return redirect(url_for("delivery.start", slug=campaign.slug), code=303)


@bp.get("/<int:job_id>/dossier.pdf")
@campaign_access
def download(campaign: Campaign, job_id: int) -> ResponseReturnValue:
    job = delivery.job_of(campaign, job_id)
    if job is None or job.status not in ("done", "sent"):
        abort(404)
    audit.note(current_user, "letters.dossier", campaign_id=campaign.id, target=job.locale,
               job=job.id)
    response = make_response(job.pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{delivery.attachment_name(campaign, job.locale)}"')
    return response


@bp.get("/export.csv")
@campaign_access
def export(campaign: Campaign) -> ResponseReturnValue:
    """The canonical export whose SHA-256 the dossier prints, streamed."""
    audit.note(current_user, "signature.export_delivery", campaign_id=campaign.id,
               target=campaign.slug)
    response = Response(stream_with_context(delivery.export_chunks(campaign.id)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{campaign.slug}-signatures.csv"')
    return response


@bp.post("/reopen")
@campaign_access
def reopen(campaign: Campaign) -> ResponseReturnValue:
    form = PlainForm()
    if not form.validate():
        abort(400)
    if not current_user.is_admin:
        abort(403)
    delivery.reopen(current_user, campaign)
    flash(_("The petition is open for signatures again."))
    return redirect(url_for("delivery.start", slug=campaign.slug), code=303)
