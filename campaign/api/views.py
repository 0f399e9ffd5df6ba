from flask import Blueprint, abort, jsonify

from ..campaigns import service as campaigns
from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookie-authenticated writes here; the full API adds token auth


@bp.get("/campaigns/<slug>")
def campaign(slug):
    """A public campaign's slug, status, exact count and goal (404 for drafts and unknowns)."""
    summary = campaigns.campaign_summary(slug)
    if summary is None:
        abort(404)
    response = jsonify(summary)
    # Public data whose count moves: shared caches may keep it a second at most.
    response.cache_control.public = True
    response.cache_control.max_age = 1
    return response
