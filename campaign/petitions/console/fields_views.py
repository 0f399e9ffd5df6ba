"""Console pages of petitions: a campaign's custom signature fields, and the comment
moderation queue (mounted in the organizers' console shell, endpoints organizers.fields,
organizers.comments)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...audit import service as audit
from ...campaigns.models import Campaign
from ...extensions import db
from ...organizers.access import campaign_access
from ...organizers.console import ConsolePages
from ...organizers.console import render_page as _render
from ...organizers.forms import EmptyForm
from .. import custom_fields
from .. import service as petitions
from . import moderation
from .forms import FIELD_LANGUAGES, FieldForm, PremoderationForm

pages = ConsolePages()


# --- custom fields ---------------------------------------------------------------------------

@pages.route("/c/<slug>/fields", methods=["GET", "POST"])
@campaign_access
def fields(campaign: Campaign) -> ResponseReturnValue:
    form = FieldForm()
    status = 200
    if form.validate_on_submit():
        try:
            field = custom_fields.add_field(campaign.id, custom_fields.FieldDefinition(
                key=form.key.data, kind=form.kind.data, labels=form.labels(),
                choices=form.choices(), required=form.required.data,
                privacy=form.privacy.data))
        except custom_fields.FieldDefinitionError as exc:
            form.key.errors = [exc.message]
            status = 422
        else:
            audit.record(current_user, "signature_field.add", campaign_id=campaign.id,
                         target=field.key)
            db.session.commit()
            flash(_("Field added."))
            return redirect(url_for("organizers.fields", slug=campaign.slug), code=303)
    elif form.errors:
        status = 422
    return _render("organizers/fields.html", campaign, status, form=form,
                   definitions=custom_fields.fields_of(campaign.id),
                   field_languages=FIELD_LANGUAGES, action_form=EmptyForm())


@pages.post("/c/<slug>/fields/<int:field_id>/delete")
@campaign_access
def field_delete(campaign: Campaign, field_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not custom_fields.remove_field(campaign.id, field_id):
        abort(404)
    audit.record(current_user, "signature_field.delete", campaign_id=campaign.id,
                 target=f"field {field_id}")
    db.session.commit()
    flash(_("Field deleted with its answers."))
    return redirect(url_for("organizers.fields", slug=campaign.slug), code=303)


# --- comment moderation ---------------------------------------------------------------------

@pages.route("/c/<slug>/comments", methods=["GET", "POST"])
@campaign_access
def comments(campaign: Campaign) -> ResponseReturnValue:
    settings_form = PremoderationForm(
        data={"premoderated": petitions.comments_premoderated(campaign.id)})
    if request.method == "POST":
        if not settings_form.validate_on_submit():
            abort(400)
        petitions.set_comments_premoderated(campaign.id, settings_form.premoderated.data)
        flash(_("Saved."))
        return redirect(url_for("organizers.comments", slug=campaign.slug), code=303)
    return _render("organizers/comments.html", campaign, settings_form=settings_form,
                   queue=moderation.comment_queue(campaign.id), action_form=EmptyForm())


@pages.post("/c/<slug>/comments/<int:signature_id>/<any(approve, hide, hide_name, "
            "show_name):action>")
@campaign_access
def comment_action(campaign: Campaign, signature_id: int, action: str) -> ResponseReturnValue:
    signature = moderation.signature_in(campaign.id, signature_id)
    if signature is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if action == "approve":
        moderation.approve_comment(current_user, signature)
        flash(_("Comment approved."))
    elif action == "hide":
        moderation.set_comment_hidden(current_user, signature, True)
        flash(_("Comment hidden."))
    else:
        moderation.set_name_hidden(current_user, signature, action == "hide_name")
        flash(_("Name hidden; the signature still counts.") if action == "hide_name"
              else _("Name shown again."))
    back = request.form.get("next", "")
    if back == "signatures":
        return redirect(url_for("organizers.signatures", slug=campaign.slug,
                                _anchor=f"signature-{signature_id}"), code=303)
    return redirect(url_for("organizers.comments", slug=campaign.slug), code=303)
