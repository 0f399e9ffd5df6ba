from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from .. import i18n
from . import page_cache, service, sharing
from .addressees import addressees
from .sections import build_sections

bp = Blueprint("campaigns", __name__)


@bp.get("/<lang:lang>/")
def index():
    campaigns = service.live_campaigns(featured=current_app.config["FEATURED_CAMPAIGN"])
    return render_template("campaigns/index.html", campaigns=campaigns,
                           addressees=addressees)


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on the public site (SITE_URL), for sharing and printing."""
    return current_app.config["SITE_URL"] + url_for(endpoint, **values)


def render_campaign_page(campaign, *, status: int = 200, overrides: dict | None = None):
    """The campaign page; features re-render it with their own section context on errors."""
    lang = i18n.current_language()
    text = campaign.text_for(lang)
    # The story may exist in fewer languages than the title: then it comes from the default
    # language (or the next one that has it), marked, rather than as an empty block.
    body_text = campaign.body_text_for(lang)
    title = text.title if text else campaign.slug
    summary = text.summary if text else ""
    page_url = public_url("campaigns.show", slug=campaign.slug)
    return render_template(
        "campaigns/show.html", campaign=campaign, text=text, body_text=body_text,
        body_html=service.render_markdown(body_text.body_markdown if body_text else ""),
        page_url=page_url, share_links=sharing.share_links(page_url, title, summary),
        addressees=addressees(campaign),
        sections=build_sections(campaign, lang, overrides)), status


@bp.get("/<lang:lang>/c/<slug>")
def show(slug):
    def render():
        campaign = service.campaign_by_slug(slug)
        if campaign is None:
            abort(404)
        return render_campaign_page(campaign)

    # Served from a few-second cache (see page_cache): the count may be that much behind.
    key: tuple[str, ...] = (i18n.current_language(), slug)
    variant = page_cache.variant_of(slug, request.args) if request.args else None
    shell = page_cache.get_shell(key + (variant,) if variant else key, render)
    etag = page_cache.reader_etag(shell)
    if etag and request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    else:
        response = make_response(page_cache.fill(shell), shell.status)
        etag = page_cache.reader_etag(shell)  # the reader may have just got a session
    if etag:
        # Weak: the compressed and plain bodies differ but mean the same page.
        response.set_etag(etag, weak=True)
    # Holds the reader's CSRF token: never in a shared cache; browsers revalidate each time.
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


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
