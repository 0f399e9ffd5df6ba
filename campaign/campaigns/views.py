from flask import Blueprint, abort, make_response, render_template, request

from .. import i18n
from . import page_cache, service
from .sections import build_sections

bp = Blueprint("campaigns", __name__)


@bp.get("/<lang:lang>/")
def index():
    return render_template("campaigns/index.html", campaigns=service.live_campaigns())


def render_campaign_page(campaign, *, status: int = 200, overrides: dict | None = None):
    """The campaign page; features re-render it with their own section context on errors."""
    lang = i18n.current_language()
    text = campaign.text_for(lang)
    return render_template(
        "campaigns/show.html", campaign=campaign, text=text,
        body_html=service.render_markdown(text.body_markdown if text else ""),
        sections=build_sections(campaign, lang, overrides)), status


@bp.get("/<lang:lang>/c/<slug>")
def show(slug):
    def render():
        campaign = service.campaign_by_slug(slug)
        if campaign is None:
            abort(404)
        return render_campaign_page(campaign)

    # Served from a few-second cache (see page_cache): the count may be that much behind.
    shell = page_cache.get_shell((i18n.current_language(), slug), render)
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
