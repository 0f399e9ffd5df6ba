"""Console page: signing velocity alarms and invalidation of a suspicious batch."""
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..organizers import registry as console_registry
from ..organizers.access import admin_required, campaign_access
from ..util import utcnow
from . import service
from .forms import InvalidateForm, LimitSettingsForm

bp = Blueprint("abuse", __name__, url_prefix="/organize")
console_registry.register_tab("safety", _l("Safety"), "abuse.safety", 80)


@bp.route("/c/<slug>/safety", methods=["GET", "POST"])
@campaign_access
def safety(campaign):
    form = InvalidateForm()
    if form.validate_on_submit():
        value = form.value.data.strip()
        count = service.invalidate_batch(
            campaign.id, reason=form.reason.data.strip(),
            domain=value if form.kind.data == "domain" else None,
            ip_hash=value if form.kind.data == "network" else None,
            since=utcnow() - timedelta(hours=form.hours.data))
        flash(_("%(num)s signatures were invalidated.", num=count))
        return redirect(url_for("abuse.safety", slug=campaign.slug), code=303)
    return render_template("abuse/safety.html", campaign=campaign, form=form,
                           velocity=service.velocity(campaign.id)), 422 if form.errors else 200


@bp.route("/limits", methods=["GET", "POST"])
@admin_required  # one setting for every campaign: admins only
def limits():
    """Rate limits for signing and allow-listed networks: changed here, no redeploy."""
    row = service.limit_settings()
    form = LimitSettingsForm(obj=row)
    if form.validate_on_submit():
        changes = service.save_limit_settings(current_user, {
            name: getattr(form, name).data for name in service.LIMIT_FIELDS})
        flash(_("Rate limits saved.") if changes else _("Nothing changed."))
        return redirect(url_for("abuse.limits"), code=303)
    return render_template("abuse/limits.html", form=form, row=row,
                           defaults=service.default_limits()), 422 if form.errors else 200
