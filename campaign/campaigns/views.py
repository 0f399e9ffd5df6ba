from flask import (Blueprint, Response, abort, current_app, render_template, send_from_directory,
                   url_for)

from .. import i18n
from . import service, sharing
from .sections import build_sections

bp = Blueprint("campaigns", __name__)


@bp.get("/<lang:lang>/")
def index():
    return render_template("campaigns/index.html", campaigns=service.live_campaigns())


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on the public site (SITE_URL), for sharing and printing."""
    return current_app.config["SITE_URL"] + url_for(endpoint, **values)


def render_campaign_page(campaign, *, status: int = 200, overrides: dict | None = None):
    """The campaign page; features re-render it with their own section context on errors."""
    lang = i18n.current_language()
    text = campaign.text_for(lang)
    title = text.title if text else campaign.slug
    summary = text.summary if text else ""
    page_url = public_url("campaigns.show", slug=campaign.slug)
    return render_template(
        "campaigns/show.html", campaign=campaign, text=text,
        body_html=service.render_markdown(text.body_markdown if text else ""),
        page_url=page_url, share_links=sharing.share_links(page_url, title, summary),
        sections=build_sections(campaign, lang, overrides)), status


@bp.get("/<lang:lang>/c/<slug>")
def show(slug):
    campaign = service.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return render_campaign_page(campaign)


@bp.get("/<lang:lang>/c/<slug>/qr.svg")
def qr(slug):
    """The campaign link (in this language) as a QR code, for printed leaflets."""
    campaign = service.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    svg = sharing.qr_svg(public_url("campaigns.show", slug=campaign.slug))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="{campaign.slug}-qr.svg"'
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; answer with the SVG icon."""
    return send_from_directory(current_app.static_folder, "img/favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)
