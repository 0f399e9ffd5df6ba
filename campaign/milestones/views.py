"""The milestones console page and the campaign page's progress marks (thin: see service)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..campaigns.models import Campaign
from ..organizers.access import campaign_access
from ..organizers.console import ConsolePages
from ..organizers.console import render_page as _render
from ..organizers.forms import EmptyForm
from ..petitions.console.updates import UpdateError
from . import service
from .forms import MilestonesForm, RaiseGoalForm

pages = ConsolePages()
TAB_LABEL = _l("Milestones")


def progress_section(campaign: Campaign, lang: str) -> dict[str, Any] | None:
    """Marks on the page's progress bar, and the note that came with a raised goal."""
    steps = service.milestones(campaign.id)
    note = service.goal_note(campaign.id, lang)
    if not steps and note is None:
        return None
    goal = max(campaign.goal, 1)
    return {"steps": [(m, min(100, m.threshold * 100 // goal)) for m in steps
                      if m.threshold <= goal], "note": note}


def _page(campaign: Campaign, status: int = 200, *, steps_form: MilestonesForm | None = None,
          goal_form: RaiseGoalForm | None = None) -> ResponseReturnValue:
    steps = service.milestones(campaign.id)
    steps_form = steps_form or MilestonesForm(
        data={"thresholds": " / ".join(str(m.threshold) for m in steps)})
    goal_form = goal_form or RaiseGoalForm(
        formdata=None, data={f"note_{code}": text
                             for code, text in service.notes(campaign.id).items()})
    return _render("milestones/console.html", campaign, status, steps=steps,
                   steps_form=steps_form, goal_form=goal_form, action_form=EmptyForm())


@pages.route("/c/<slug>/milestones", methods=["GET", "POST"])
@campaign_access
def milestones_page(campaign: Campaign) -> ResponseReturnValue:
    form = MilestonesForm()
    if form.validate_on_submit():
        try:
            thresholds = service.parse_thresholds(form.thresholds.data or "")
        except service.MilestoneError as exc:
            form.thresholds.errors.append(_(
                "“%(value)s” is not a signature count. Write whole numbers such as "
                "1000 / 10000 (at most %(max)s steps).", value=str(exc),
                max=service.MAX_MILESTONES))
            return _page(campaign, 422, steps_form=form)
        service.set_milestones(current_user, campaign, thresholds)
        flash(_("Milestones saved."))
        return redirect(url_for("organizers.milestones_page", slug=campaign.slug), code=303)
    return _page(campaign, 422 if form.errors else 200,
                 steps_form=form if form.errors else None)


@pages.post("/c/<slug>/milestones/goal")
@campaign_access
def raise_goal(campaign: Campaign) -> ResponseReturnValue:
    form = RaiseGoalForm()
    if form.validate_on_submit():
        try:
            service.raise_goal(current_user, campaign, form.goal.data, form.notes())
        except service.MilestoneError:
            form.goal.errors.append(_("The new goal must be higher than the count (%(count)s).",
                                      count=campaign.signature_count))
        else:
            flash(_("Goal raised to %(goal)s.", goal=campaign.goal))
            return redirect(url_for("organizers.milestones_page", slug=campaign.slug),
                            code=303)
    return _page(campaign, 422, goal_form=form)


@pages.post("/c/<slug>/milestones/<int:threshold>/draft")
@campaign_access
def draft_update(campaign: Campaign, threshold: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if threshold not in {m.threshold for m in service.reached(campaign.id)}:
        abort(404)
    try:
        item = service.draft_update(current_user, campaign, threshold)
    except UpdateError:
        flash(_("Write the campaign's text in its default language first."))
        return redirect(url_for("organizers.milestones_page", slug=campaign.slug), code=303)
    flash(_("Update saved. Check it, then send it."))
    return redirect(url_for("organizers.updates_page", slug=campaign.slug,
                            _anchor=f"update-{item.id}"), code=303)
