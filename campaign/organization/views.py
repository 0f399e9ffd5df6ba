"""The organization profile: edited by admins in the console, shown on /<lang>/about."""
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from .. import i18n
from ..organizers.access import admin_required
from . import service
from .forms import OrganizationForm, about_field_name
from .models import Organization

bp = Blueprint("organization", __name__)


@bp.get("/<lang:lang>/about")
def about() -> ResponseReturnValue:
    organization = service.get()
    lang = i18n.interface_language(i18n.current_language())
    return render_template("organization/about.html", organization=organization,
                           about_text=organization.about_for(lang))


@bp.get("/organization/logo.png")
def logo() -> ResponseReturnValue:
    organization = service.get()
    if not organization.logo_png:
        abort(404)
    response = make_response(organization.logo_png)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/organize/organization", methods=["GET", "POST"])
@admin_required
def edit() -> ResponseReturnValue:
    organization = service.get()
    form = OrganizationForm(obj=None if organization is None else organization)
    if not form.is_submitted():
        for code in i18n.INTERFACE_LANGUAGES:
            getattr(form, about_field_name(code)).data = (organization.about or {}).get(code, "")
    problem = None
    if form.validate_on_submit():
        logo = None
        upload = form.logo.data
        if upload and getattr(upload, "filename", ""):
            try:
                logo = service.clean_logo(upload.read(service.LOGO_MAX_BYTES + 1))
            except service.LogoProblem as error:
                form.logo.errors = [str(error)]
                problem = error
        if problem is None:
            service.save(current_user, name=form.name.data,
                         postal_address=form.postal_address.data or "",
                         contact_email=form.contact_email.data, website=form.website.data or "",
                         about={code: getattr(form, about_field_name(code)).data or ""
                                for code in i18n.INTERFACE_LANGUAGES},
                         logo=logo, remove_logo=form.remove_logo.data)
            flash(_("The organization's profile is saved."))
            return redirect(url_for("organization.edit"), code=303)
    about_fields = [getattr(form, about_field_name(code)) for code in i18n.INTERFACE_LANGUAGES]
    return render_template("organization/edit.html", form=form, organization=organization,
                           about_fields=about_fields), 422 if form.errors else 200


def _footer_organization() -> Organization | None:
    """The profile for the footer; None if unset or the database is down (error pages render
    the footer too, and must not fail on it)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        organization = service.get()
    except SQLAlchemyError:
        return None
    return organization if service.is_set_up(organization) else None


@bp.app_context_processor
def _organization_globals() -> dict[str, Any]:
    return {"site_organization": _footer_organization}
