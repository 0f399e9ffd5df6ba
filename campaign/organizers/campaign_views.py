"""The shell's own campaign pages: create, overview, status, members, settings, texts,
preview, history. Every view taking `slug` goes through campaign_access. A feature's pages
(petitions: signatures, paper, analytics, updates) live in that feature."""
from __future__ import annotations

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import i18n
from ..audit import service as audit
from ..campaigns.models import Campaign
from ..campaigns.service import render_markdown
from ..status_labels import status_label
from . import editing, registry
from . import service as accounts
from .access import campaign_access
from .console import ConsolePages
from .console import render_page as _render
from .forms import (
    CampaignSettingsForm,
    CampaignTextForm,
    CopyCampaignForm,
    EmptyForm,
    MemberForm,
)

pages = ConsolePages()

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


def register_tabs(app: Flask) -> None:
    registry.register_tab(app, "overview", _l("Overview"), "organizers.campaign_home", 0)
    registry.register_tab(app, "settings", _l("Settings"), "organizers.campaign_settings", 10)
    registry.register_tab(app, "texts", _l("Texts"), "organizers.campaign_texts", 20)
    registry.register_tab(app, "audit", _l("History"), "organizers.campaign_audit", 90)


@pages.route("/new", methods=["GET", "POST"])
@login_required
def campaign_new() -> ResponseReturnValue:
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


@pages.get("/c/<slug>/")
@campaign_access
def campaign_home(campaign: Campaign) -> ResponseReturnValue:
    return _render("organizers/campaign.html", campaign,
                   missing=editing.missing_by_language(campaign),
                   transitions=[(t, STATUS_ACTIONS[t])
                                for t in editing.allowed_transitions(campaign)],
                   members=accounts.members(campaign.id), member_form=MemberForm(),
                   action_form=EmptyForm(), copy_form=CopyCampaignForm())


@pages.post("/c/<slug>/copy")
@campaign_access
def campaign_copy(campaign: Campaign) -> ResponseReturnValue:
    """Start a new campaign from this one (texts, settings, targets, letter templates)."""
    form = CopyCampaignForm()
    if form.validate_on_submit():
        try:
            new = editing.copy(current_user, campaign, form.new_slug.data)
        except editing.EditError as exc:
            form.new_slug.errors.append(EDIT_ERRORS[str(exc)])
        else:
            flash(_("A new draft campaign was started from %(slug)s: check its texts.",
                    slug=campaign.slug))
            return redirect(url_for("organizers.campaign_home", slug=new.slug))
    return _render("organizers/campaign.html", campaign, 422,
                   missing=editing.missing_by_language(campaign),
                   transitions=[(t, STATUS_ACTIONS[t])
                                for t in editing.allowed_transitions(campaign)],
                   members=accounts.members(campaign.id), member_form=MemberForm(),
                   action_form=EmptyForm(), copy_form=form)


@pages.post("/c/<slug>/status/<target>")
@campaign_access
def campaign_status(campaign: Campaign, target: str) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        editing.transition(current_user, campaign, target)
    except editing.EditError as exc:
        flash(EDIT_ERRORS[str(exc)])
        return redirect(url_for("organizers.campaign_home", slug=campaign.slug)), 303
    flash(_("The campaign is now: %(status)s.", status=status_label("campaign", target)))
    return redirect(url_for("organizers.campaign_home", slug=campaign.slug))


@pages.post("/c/<slug>/members")
@campaign_access
def campaign_members(campaign: Campaign) -> ResponseReturnValue:
    form = MemberForm()
    if form.validate_on_submit():
        try:
            editing.add_member_by_email(current_user, campaign, form.email.data)
        except editing.EditError as exc:
            flash(EDIT_ERRORS[str(exc)])
        else:
            flash(_("Member added."))
    return redirect(url_for("organizers.campaign_home", slug=campaign.slug))


@pages.route("/c/<slug>/settings", methods=["GET", "POST"])
@campaign_access
def campaign_settings(campaign: Campaign) -> ResponseReturnValue:
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


@pages.get("/c/<slug>/texts")
@campaign_access
def campaign_texts(campaign: Campaign) -> ResponseReturnValue:
    return redirect(url_for("organizers.campaign_text", slug=campaign.slug,
                            locale=campaign.default_locale))


@pages.route("/c/<slug>/texts/<locale>", methods=["GET", "POST"])
@campaign_access
def campaign_text(campaign: Campaign, locale: str) -> ResponseReturnValue:
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


@pages.get("/c/<slug>/preview/<locale>")
@campaign_access
def campaign_preview(campaign: Campaign, locale: str) -> ResponseReturnValue:
    if locale not in i18n.CONTENT_LANGUAGES:
        abort(404)
    text = next((t for t in campaign.texts if t.locale == locale), None)
    return _render("organizers/campaign_preview.html", campaign, text=text, locale=locale,
                   body_html=render_markdown(text.body_markdown) if text else "")


@pages.get("/c/<slug>/history")
@campaign_access
def campaign_audit(campaign: Campaign) -> ResponseReturnValue:
    return _render("organizers/audit.html", campaign,
                   entries=audit.entries(campaign_id=campaign.id, limit=200),
                   next_before=None)
