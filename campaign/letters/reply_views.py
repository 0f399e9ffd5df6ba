"""A reply's details in the console (summary per language, the PDF, telling the signers) and the
public PDF link. Thin: the rules are in replies.py."""
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..campaigns import service as campaigns
from ..campaigns.models import Campaign
from ..organizers import registry as console_registry
from ..organizers.access import campaign_access
from ..petitions.console.updates import UpdateError, audience
from . import replies
from .forms import PlainForm, reply_details_form

bp = Blueprint("replies", __name__)


def _languages(campaign: Campaign) -> list[str]:
    return list(dict.fromkeys([campaign.default_locale] + campaign.locales))


@bp.route("/organize/c/<slug>/replies/<int:reply_id>", methods=["GET", "POST"])
@campaign_access
def details(campaign: Campaign, reply_id: int) -> ResponseReturnValue:
    reply = replies.reply_of(campaign, reply_id) or abort(404)
    languages = _languages(campaign)
    form = reply_details_form(languages)
    if not form.is_submitted():
        for code in languages:
            getattr(form, f"summary_{code}").data = (reply.summaries or {}).get(code, "")
    if form.validate_on_submit():
        attachment = None
        upload = form.attachment.data
        try:
            if upload and getattr(upload, "filename", ""):
                data = upload.read(replies.ATTACHMENT_MAX_BYTES + 1)
                attachment = (upload.filename, replies.check_pdf(data, upload.mimetype))
        except replies.ReplyProblem as problem:
            form.attachment.errors = [str(problem)]
        else:
            replies.save_details(
                current_user, reply,
                summaries={code: getattr(form, f"summary_{code}").data or ""
                           for code in languages},
                attachment=attachment, remove_attachment=form.remove_attachment.data)
            flash(_("Reply saved."))
            return redirect(url_for("replies.details", slug=campaign.slug, reply_id=reply.id),
                            code=303)
    return render_template(
        "letters/reply.html", campaign=campaign, reply=reply, form=form,
        summary_fields=[getattr(form, f"summary_{code}") for code in languages],
        audience=audience(campaign.id), plain_form=PlainForm(),
        tabs=console_registry.tabs()), 422 if form.errors else 200


@bp.post("/organize/c/<slug>/replies/<int:reply_id>/notify")
@campaign_access
def notify(campaign: Campaign, reply_id: int) -> ResponseReturnValue:
    reply = replies.reply_of(campaign, reply_id) or abort(404)
    if not PlainForm().validate():
        abort(400)
    try:
        count = replies.notify_signers(current_user, campaign, reply)
    except (replies.ReplyProblem, UpdateError) as problem:
        flash(str(problem) if isinstance(problem, replies.ReplyProblem)
              else _("The signers were already told of this reply."))
    else:
        flash(ngettext("%(num)s signer will be told of the reply.",
                       "%(num)s signers will be told of the reply.", count))
    return redirect(url_for("replies.details", slug=campaign.slug, reply_id=reply.id), code=303)


@bp.get("/<lang:lang>/c/<slug>/replies/<int:reply_id>.pdf")
def attachment(slug: str, reply_id: int) -> ResponseReturnValue:
    campaign = campaigns.campaign_by_slug(slug)
    reply = replies.reply_of(campaign, reply_id) if campaign else None
    if reply is None or not reply.attachment_pdf:
        abort(404)
    response = make_response(reply.attachment_pdf)
    response.headers["Content-Type"] = "application/pdf"
    # A download, not shown inline: the file is an institution's upload we did not make.
    response.headers["Content-Disposition"] = f'attachment; filename="reply-{reply.id}.pdf"'
    return response
