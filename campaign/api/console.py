"""/organize/api-keys: organizers create and revoke their API keys. The secret is shown once."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..organizers.access import managed_campaigns
from . import service
from .forms import ApiKeyForm, RevokeForm

bp = Blueprint("api_keys", __name__, url_prefix="/organize/api-keys")


def _title(campaign):
    from ..i18n import current_language
    text = campaign.text_for(current_language())
    return text.title if text else campaign.slug


def _page(form, status=200, token=None):
    response = render_template("api/keys.html", form=form, keys=service.keys_of(current_user),
                               revoke_form=RevokeForm(), token=token)
    return response, status, {"Cache-Control": "no-store"}


def _form():
    form = ApiKeyForm()
    form.campaigns.choices = [(c.id, _title(c)) for c in managed_campaigns(current_user)]
    return form


@bp.get("/")
@login_required
def index():
    return _page(_form())


@bp.post("/")
@login_required
def create():
    form = _form()
    if not form.validate():
        return _page(form, 422)
    _key, token = service.create_key(current_user, form.name.data, form.campaigns.data,
                                    trusted_import=form.trusted_import.data)
    return _page(_form(), 201, token=token)


@bp.post("/<int:key_id>/revoke")
@login_required
def revoke(key_id):
    if not RevokeForm().validate():
        abort(400)
    try:
        revoked = service.revoke_key(current_user, key_id)
    except PermissionError:
        abort(403)
    if not revoked:
        abort(404)
    return redirect(url_for("api_keys.index"), code=303)
