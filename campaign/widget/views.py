"""The embeddable widget (/<lang>/c/<slug>/widget) and its console page.

Signing through the widget uses the petitions service exactly as the campaign page does
(confirmation e-mail, the same answer for everyone, no IP stored), with its own rate limit.
"""
from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from .. import i18n
from ..abuse.bots import is_bot
from ..abuse.limits import peek_rate
from ..campaigns import service as campaigns
from ..campaigns.models import Campaign
from ..extensions import csrf, limiter
from ..framing import allow_framing
from ..organizers.access import campaign_access
from ..petitions import custom_fields
from ..petitions import service as petitions
from ..petitions.forms import SignForm, sign_form_for
from ..petitions.sources import ref_from_query
from ..sources import service as sources
from . import service
from .forms import FramingForm, WidgetSignForm

bp = Blueprint("widget", __name__)

_ACCENT = re.compile(r"^[0-9a-fA-F]{6}$")


def _style() -> dict[str, Any]:
    """The partner's look: theme light|dark, accent a hex colour without '#'."""
    theme = request.values.get("theme")
    accent = request.values.get("accent", "")
    return {"theme": theme if theme in ("light", "dark") else "light",
            "accent": accent.lower() if _ACCENT.match(accent) else None}


_FRAMED = {"widget.show", "widget.sign", "widget.thanks"}


@bp.url_value_preprocessor
def _framing(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Decide framing before anything can answer (the rate limiter's 429, an error page), so
    the partner's page shows our answer instead of a blocked frame. URL value preprocessors
    run before every before_request hook, the limiter's included."""
    if endpoint in _FRAMED and values and "slug" in values:
        campaign = campaigns.campaign_by_slug(values["slug"])
        if campaign is not None:
            allow_framing(service.frame_ancestors(campaign.id))


def _campaign(slug: str) -> Campaign:
    campaign = campaigns.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return campaign


def _render(campaign: Campaign, form: SignForm, status: int = 200,
            source: dict[str, Any] | None = None, **extra: Any) -> Response:
    """The widget; `source` (partner, origin, ref) goes into its signed form token."""
    lang = i18n.current_language()
    source = source or {"partner_id": None, "origin": None, "ref": None}
    partner = (sources.partner_in(campaign.id, source["partner_id"])
               if source["partner_id"] else None)
    response = Response(render_template(
        "widget/widget.html", campaign=campaign, text=campaign.text_for(lang), form=form,
        token=service.form_token(campaign.id, source["partner_id"], source["origin"],
                                 source["ref"]),
        partner=partner if partner is not None and partner.credited else None,
        style=_style(), **extra), status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<lang:lang>/c/<slug>/widget")
def show(slug: str) -> ResponseReturnValue:
    campaign = _campaign(slug)
    settings = service.settings_for(campaign.id)
    partner, origin = sources.widget_source(campaign.id, request.referrer,
                                            settings.origins if settings else [])
    return _render(campaign, sign_form_for(
        campaign, custom_fields.form_for_campaign(WidgetSignForm, campaign)), source={
        "partner_id": partner.id if partner else None, "origin": origin,
        "ref": ref_from_query(request.args)})


@bp.post("/<lang:lang>/c/<slug>/widget/sign")
@csrf.exempt
@limiter.limit(lambda: current_app.config["WIDGET_SIGN_RATE_LIMIT"])
def sign(slug: str) -> ResponseReturnValue:
    peek_rate("sign", ip=request.remote_addr)  # the sign limits, before the form (abuse.limits)
    campaign = _campaign(slug)
    form = custom_fields.form_for_campaign(WidgetSignForm, campaign)()
    source = service.form_source(campaign.id, form.widget_token.data)
    if not campaign.is_open:
        return _render(campaign, form, 403, source)
    if source is None:
        return _render(campaign, form, 400, expired=True)
    if not form.validate():
        return _render(campaign, form, 422, source)
    style = _style()
    thanks = redirect(url_for("widget.thanks", slug=slug, theme=style["theme"],
                              **({"accent": style["accent"]} if style["accent"] else {})),
                      code=303)
    if is_bot(form):
        return thanks  # the same answer as a real signature, nothing stored
    partner = (sources.partner_in(campaign.id, source["partner_id"])
               if source["partner_id"] else None)
    try:
        petitions.sign(campaign, petitions.SignatureInput(
            full_name=form.full_name.data, email=form.email.data, country=form.country.data,
            comment=form.comment.data, display=form.display.data, updates=form.updates.data,
            locale=i18n.current_language(), ip=request.remote_addr, source="widget",
            custom=custom_fields.answers(form),
            partner_id=partner.id if partner else None, source_origin=source["origin"],
            ref=source["ref"],
            # Offered only on a credited partner's widget; anything else sent is ignored.
            partner_opt_in=bool(partner and partner.credited and form.partner_opt_in.data)))
    except petitions.CampaignNotOpen:
        return _render(campaign, form, 403, source)
    return thanks


@bp.get("/<lang:lang>/c/<slug>/widget/thanks")
def thanks(slug: str) -> ResponseReturnValue:
    campaign = _campaign(slug)
    return render_template("widget/thanks.html", campaign=campaign, style=_style(),
                           text=campaign.text_for(i18n.current_language()))


@bp.get("/widget/accent/<accent>.css")
def accent_css(accent: str) -> ResponseReturnValue:
    """The accent colour as a stylesheet, so the widget needs no inline style (strict CSP)."""
    if not _ACCENT.match(accent):
        abort(404)
    response = Response(f":root {{ --accent: #{accent.lower()}; }}\n", mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 30 * 24 * 3600
    return response


# --- console -----------------------------------------------------------------------------

@bp.route("/organize/c/<slug>/widget", methods=["GET", "POST"])
@campaign_access
def console(campaign: Campaign) -> ResponseReturnValue:
    settings = service.settings_for(campaign.id)
    form = FramingForm(data={"origins": "\n".join(settings.origins) if settings else "",
                             "allow_any": settings.allow_any if settings else False})
    status = 200
    if form.validate_on_submit():
        try:
            service.set_framing(campaign.id, (form.origins.data or "").splitlines(),
                                allow_any=form.allow_any.data)
        except service.BadOrigin as exc:
            form.origins.errors.append(
                _("“%(origin)s” is not a site address such as https://partner.org.",
                  origin=str(exc)[:100]))
            status = 422
        else:
            return redirect(url_for("widget.console", slug=campaign.slug), code=303)
    elif form.errors:
        status = 422
    return render_template("widget/console.html", campaign=campaign, form=form,
                           ancestors=service.frame_ancestors(campaign.id),
                           site_url=current_app.config["SITE_URL"]), status
