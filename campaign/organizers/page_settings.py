"""/organize/c/<slug>/page: how the public campaign page treats its readers and signers.

Organizers choose what the sign form pre-selects for the signer's name and whether the page
lists its latest signers at all (docs/security.md), and see which translations await a fluent
reader's review (CampaignText.review_note), marking them reviewed once checked. One of the
pages every campaign has, so it lives with the console shell (campaigns imports no feature).
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField

from ..campaigns import page_cache
from ..campaigns.models import Campaign
from . import editing
from . import registry as console_registry
from .access import campaign_access

bp = Blueprint("campaign_page", __name__, url_prefix="/organize/c/<slug>/page")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    console_registry.register_tab(app, "page", _l("Public page"), "campaign_page.settings", 15)


class ReaderSettingsForm(FlaskForm):
    default_display = RadioField(
        _l("The sign form pre-selects"),
        choices=[("initial", _l("First name and initials (recommended)")),
                 ("anonymous", _l("No name")),
                 ("full", _l("Full name"))])
    show_recent_signers = BooleanField(_l("Show the latest signers on the campaign page"))


class ReviewedForm(FlaskForm):
    locale = HiddenField()


def _page(campaign: Campaign, form: ReaderSettingsForm, status: int = 200) -> tuple[str, int]:
    return render_template("campaigns/console_page.html", campaign=campaign, form=form,
                           reviewed_form=ReviewedForm(formdata=None),
                           tabs=console_registry.tabs()), status


@bp.get("")
@campaign_access
def settings(campaign: Campaign) -> ResponseReturnValue:
    form = ReaderSettingsForm(formdata=None, data={
        "default_display": campaign.default_display,
        "show_recent_signers": campaign.show_recent_signers})
    return _page(campaign, form)


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
