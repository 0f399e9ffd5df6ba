"""The privacy page, and the e-mailed link to a signer's data (copy and deletion)."""
import json

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from .. import i18n
from ..abuse.bots import is_bot
from ..abuse.limits import check_rate
from ..campaigns.models import Campaign
from ..organizers.access import campaign_access
from ..tokens import ExpiredToken, InvalidToken
from . import service
from .forms import DataRequestForm, RetentionForm

bp = Blueprint("privacy", __name__)


@bp.route("/<lang:lang>/privacy", methods=["GET", "POST"])
def page(lang: str | None = None) -> ResponseReturnValue:
    form = DataRequestForm()
    if request.method == "POST":
        if not form.validate():
            return render_template("privacy/page.html", form=form), 422
        if not is_bot(form):
            email_key = service.email_key_of(form.email.data)
            check_rate("privacy", ip=request.remote_addr, email_key=email_key)
            service.request_data_link(form.email.data, i18n.current_language())
        # The same answer whether or not we hold data for the address.
        return redirect(url_for("privacy.page", sent=1) + "#request", code=303)
    return render_template("privacy/page.html", form=form, sent=bool(request.args.get("sent")))


def _key_or_error(token: str) -> tuple[str | None, tuple[str, int] | None]:
    try:
        return service.email_key_from_token(token), None
    except ExpiredToken:
        return None, (render_template("petitions/link_problem.html", problem="expired"), 410)
    except InvalidToken:
        return None, (render_template("petitions/link_problem.html", problem="invalid"), 400)


@bp.get("/privacy/data/<token>")
def data(token: str) -> ResponseReturnValue:
    email_key, error = _key_or_error(token)
    if error:
        return error
    assert email_key is not None
    return render_template("privacy/data.html", token=token, data=service.export(email_key))


@bp.get("/privacy/data/<token>/export.json")
def export(token: str) -> ResponseReturnValue:
    email_key, error = _key_or_error(token)
    if error:
        return error
    assert email_key is not None
    body = json.dumps(service.export(email_key), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"'})


@bp.post("/privacy/data/<token>/delete")
def delete(token: str) -> ResponseReturnValue:
    email_key, error = _key_or_error(token)
    if error:
        return error
    assert email_key is not None
    removed = service.erase(email_key)
    g.lang = i18n.current_language()
    return render_template("privacy/deleted.html", removed=sum(removed.values()))


@bp.route("/organize/c/<slug>/privacy", methods=["GET", "POST"])
@campaign_access
def retention(campaign: Campaign) -> ResponseReturnValue:
    form = RetentionForm(days=service.retention_days(campaign.id))
    saved = False
    if form.validate_on_submit():
        service.set_retention(campaign.id, form.days.data)
        saved = True
    return render_template("privacy/retention.html", campaign=campaign, form=form,
                           saved=saved), 422 if form.errors else 200
