"""Console page of petitions: signing velocity alarms and invalidation of a suspicious batch
(mounted in the organizers' console shell, endpoint organizers.safety)."""
from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...campaigns.models import Campaign
from ...organizers.access import campaign_access
from ...organizers.console import ConsolePages
from ...util import utcnow
from . import safety as service
from .forms import InvalidateForm

pages = ConsolePages()


@pages.route("/c/<slug>/safety", methods=["GET", "POST"])
@campaign_access
def safety(campaign: Campaign) -> ResponseReturnValue:
    form = InvalidateForm()
    if form.validate_on_submit():
        value = form.value.data.strip()
        count = service.invalidate_batch(
            campaign.id, reason=form.reason.data.strip(),
            domain=value if form.kind.data == "domain" else None,
            ip_hash=value if form.kind.data == "network" else None,
            since=utcnow() - timedelta(hours=form.hours.data))
        flash(_("%(num)s signatures were invalidated.", num=count))
        return redirect(url_for("organizers.safety", slug=campaign.slug), code=303)
    return render_template("abuse/safety.html", campaign=campaign, form=form,
                           velocity=service.velocity(campaign.id)), 422 if form.errors else 200

