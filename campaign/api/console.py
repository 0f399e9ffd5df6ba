"""/organize/api-keys: organizers create and revoke their API keys. The secret is shown once."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..organizers.access import managed_campaigns
from . import service
from .forms import ApiKeyForm, RevokeForm

if TYPE_CHECKING:
    from ..campaigns.models import Campaign

bp = Blueprint("api_keys", __name__, url_prefix="/organize/api-keys")


def _title(campaign: Campaign) -> str:
    from ..i18n import current_language
    text = campaign.text_for(current_language())
    return text.title if text else campaign.slug


SCOPE_LABELS = {
    "read_signatures": _l("read signers and donors"),
    "read_aggregates": _l("read counts"),
    "write_signatures": _l("add signatures"),
    "trusted_import": _l("trusted import"),
}


def _page(form: ApiKeyForm, status: int = 200, token: str | None = None
          ) -> tuple[str, int, dict[str, str]]:
    response = render_template("api/keys.html", form=form, keys=service.keys_of(current_user),
                               revoke_form=RevokeForm(), token=token,
                               scope_labels=SCOPE_LABELS, one_day=timedelta(days=1))
    return response, status, {"Cache-Control": "no-store"}


def _form() -> ApiKeyForm:
    form = ApiKeyForm()
    form.campaigns.choices = [(c.id, _title(c)) for c in managed_campaigns(current_user)]
    return form


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    return _page(_form())


@bp.post("/")
@login_required
def create() -> ResponseReturnValue:
    form = _form()
    if not form.validate():
        return _page(form, 422)
    try:
        _key, token = service.create_key(
            current_user, form.name.data, form.campaigns.data, scopes=form.scopes.data or [],
            expires_at=service.end_of_day(form.expires_on.data),
            trusted_import=bool(form.trusted_import.data))
    except PermissionError:
        abort(403)
    except ValueError as error:
        field = form.expires_on if str(error) == "expiry" else form.scopes
        field.errors = [_("Please choose a date after today.") if field is form.expires_on
                        else _("Please choose what the key may do.")]
        return _page(form, 422)
    return _page(_form(), 201, token=token)


@bp.post("/<int:key_id>/revoke")
@login_required
def revoke(key_id: int) -> ResponseReturnValue:
    if not RevokeForm().validate():
        abort(400)
    try:
        revoked = service.revoke_key(current_user, key_id)
    except PermissionError:
        abort(403)
    if not revoked:
        abort(404)
    return redirect(url_for("api_keys.index"), code=303)
