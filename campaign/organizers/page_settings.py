"""/organize/c/<slug>/page: how the public campaign page treats its readers and signers.

Organizers choose what the sign form pre-selects for the signer's name and whether the page
lists its latest signers at all (docs/security.md), upload the campaign's photo with its alt
text in every language of the campaign (campaigns/photo.py), and see which translations await
a fluent reader's review (CampaignText.review_note), marking them reviewed once checked. One
of the pages every campaign has, so it lives with the console shell (campaigns imports no
feature).
"""
from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, HiddenField, RadioField, StringField

from .. import i18n
from ..campaigns import page_cache, photo
from ..campaigns.models import Campaign
from . import editing
from . import registry as console_registry
from .access import campaign_access

bp = Blueprint("campaign_page", __name__, url_prefix="/organize/c/<slug>/page")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    console_registry.register_tab(app, "page", _l("Public page"), "campaign_page.settings", 15)
    console_registry.register_copier(app, "photo", photo.copy)


@bp.url_value_preprocessor
def _photo_body_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The photo upload alone may send a body up to CAMPAIGN_IMAGE_MAX_BYTES (plus the form),
    above MAX_CONTENT_LENGTH; set before the CSRF check reads the body, and only for a
    signed-in organizer. A larger file is then refused by photo.clean with a clear message."""
    if endpoint == "campaign_page.photo_save" and current_user.is_authenticated:
        request.max_content_length = max(
            current_app.config["MAX_CONTENT_LENGTH"] or 0,
            2 * current_app.config["CAMPAIGN_IMAGE_MAX_BYTES"] + 256 * 1024)


class ReaderSettingsForm(FlaskForm):
    default_display = RadioField(
        _l("The sign form pre-selects"),
        choices=[("initial", _l("First name and initials (recommended)")),
                 ("anonymous", _l("No name")),
                 ("full", _l("Full name"))])
    show_recent_signers = BooleanField(_l("Show the latest signers on the campaign page"))


class ReviewedForm(FlaskForm):
    locale = HiddenField()


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG, GIF or WebP)"))


class RemovePhotoForm(FlaskForm):
    pass


def alt_field(code: str) -> str:
    return f"alt_{code}"


def photo_form(campaign: Campaign, formdata: Any = None) -> PhotoForm:
    """The upload form with an alt-text box for each language the campaign has a text in."""
    class CampaignPhotoForm(PhotoForm):
        pass

    stored = photo.get(campaign.id)
    for code in photo.required_languages(campaign):
        name = i18n.LANGUAGES[code].native_name if code in i18n.LANGUAGES else code
        setattr(CampaignPhotoForm, alt_field(code), StringField(
            name, default=((stored.alt or {}).get(code, "") if stored else ""),
            render_kw={"maxlength": photo.ALT_MAX, "lang": i18n.LANGUAGES[code].bcp47
                       if code in i18n.LANGUAGES else code}))
    if formdata is None:
        return CampaignPhotoForm(formdata=None)
    return CampaignPhotoForm()


def _page(campaign: Campaign, form: FlaskForm, status: int = 200,
          photo_form_: PhotoForm | None = None) -> tuple[str, int]:
    pform = photo_form_ or photo_form(campaign)
    return render_template("campaigns/console_page.html", campaign=campaign, form=form,
                           reviewed_form=ReviewedForm(formdata=None),
                           photo_form=pform, remove_photo_form=RemovePhotoForm(formdata=None),
                           alt_fields=[(code, pform[alt_field(code)])
                                       for code in photo.required_languages(campaign)],
                           stored_photo=photo.get(campaign.id),
                           photo_max_mb=round(photo.max_bytes() / (1024 * 1024), 1),
                           tabs=console_registry.tabs()), status


def _reader_form(campaign: Campaign) -> ReaderSettingsForm:
    return ReaderSettingsForm(formdata=None, data={
        "default_display": campaign.default_display,
        "show_recent_signers": campaign.show_recent_signers})


@bp.get("")
@campaign_access
def settings(campaign: Campaign) -> ResponseReturnValue:
    return _page(campaign, _reader_form(campaign))


@bp.post("")
@campaign_access
def save(campaign: Campaign) -> ResponseReturnValue:
    form = ReaderSettingsForm()
    if not form.validate():
        return _page(campaign, form, 422)
    editing.set_reader_settings(current_user, campaign,
                                default_display=form.default_display.data,
                                show_recent_signers=form.show_recent_signers.data)
    page_cache.clear()  # the public page shows the change now, not in a few seconds
    flash(_("Saved."))
    return redirect(url_for("campaign_page.settings", slug=campaign.slug), code=303)


@bp.post("/reviewed")
@campaign_access
def reviewed(campaign: Campaign) -> ResponseReturnValue:
    """A fluent reader checked a translation: its review note goes (and is audited)."""
    form = ReviewedForm()
    if not form.validate():
        abort(400)
    if not editing.mark_text_reviewed(current_user, campaign, form.locale.data or ""):
        abort(404)
    page_cache.clear()
    flash(_("Marked as reviewed."))
    return redirect(url_for("campaign_page.settings", slug=campaign.slug), code=303)


@bp.post("/photo")
@campaign_access
def photo_save(campaign: Campaign) -> ResponseReturnValue:
    """Upload a photo and/or change its alt texts: all checked before anything is stored."""
    form = photo_form(campaign, formdata=True)
    if not form.validate():
        abort(400)
    upload = form.photo.data
    data = None
    if isinstance(upload, FileStorage) and upload.filename:
        data = upload.read(photo.max_bytes() + 1)
    alt = {code: form[alt_field(code)].data or ""
           for code in photo.required_languages(campaign)}
    try:
        editing.set_photo(current_user, campaign, data, alt)
    except photo.PhotoProblem as problem:
        field = form.photo if problem.field == "photo" else form[problem.field]
        field.errors = [str(problem)]
        return _page(campaign, _reader_form(campaign), 422, photo_form_=form)
    page_cache.clear()
    flash(_("The photo is saved."))
    return redirect(url_for("campaign_page.settings", slug=campaign.slug) + "#photo", code=303)


@bp.post("/photo/remove")
@campaign_access
def photo_remove(campaign: Campaign) -> ResponseReturnValue:
    if not RemovePhotoForm().validate():
        abort(400)
    if editing.remove_photo(current_user, campaign):
        page_cache.clear()
        flash(_("The photo is removed."))
    return redirect(url_for("campaign_page.settings", slug=campaign.slug) + "#photo", code=303)
