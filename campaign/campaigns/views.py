from flask import Blueprint, abort, render_template

from .. import i18n
from . import service
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
    campaign = service.campaign_by_slug(slug)
    if campaign is None:
        abort(404)
    return render_campaign_page(campaign)
