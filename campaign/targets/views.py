from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..addresses import InvalidEmail
from ..organizers.access import admin_required
from . import bounces, service
from .forms import TargetForm

bp = Blueprint("targets", __name__, url_prefix="/organize/targets")


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    targets = service.all_targets()
    counts = bounces.counts_by_target(targets)
    limit = current_app.config["TARGET_PAUSE_AFTER_BOUNCES"]
    return render_template("targets/index.html", targets=targets, bounces=counts, paused=[
        t for t in targets if not t.active and counts.get(t.id, 0) >= limit])


@bp.route("/<int:target_id>", methods=["GET", "POST"])
@admin_required  # one shared directory: a wrong address would misdirect every campaign's mail
def edit(target_id: int) -> ResponseReturnValue:
    target = service.target_by_id(target_id)
    if target is None:
        abort(404)
    form = TargetForm(obj=target)
    if form.validate_on_submit():
        try:
            service.update_target(target, email=form.email.data, languages=form.languages.data,
                                  active=form.active.data, verified=form.verified.data,
                                  by=current_user)
        except InvalidEmail:
            form.email.errors.append(_("Please enter a valid e-mail address."))
        else:
            flash(_("Saved."))
            return redirect(url_for("targets.index"), code=303)
    return render_template("targets/edit.html", target=target, form=form), (
        422 if form.errors else 200)
