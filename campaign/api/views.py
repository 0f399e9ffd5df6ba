import time

from flask import Blueprint, abort, current_app, jsonify

from ..campaigns import service as campaigns
from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookie-authenticated writes here; the full API adds token auth


# Per app and process: slug -> (monotonic expiry, summary). The answer says max-age=1
# anyway, so reusing it for a second changes nothing a client can rely on, and under a surge
# of widget polls it saves the query. Unknown slugs are not cached.
_FRESH_SECONDS = 1.0


@bp.get("/campaigns/<slug>")
def campaign(slug):
    """A public campaign's slug, status, exact count and goal (404 for drafts and unknowns).
    The count is at most a second old."""
    now = time.monotonic()
    recent = current_app.extensions.setdefault("api_campaign_summaries", {})
    cached = recent.get(slug)
    if cached and cached[0] > now:
        summary = cached[1]
    else:
        summary = campaigns.campaign_summary(slug)
        if summary is None:
            abort(404)
        if len(recent) > 10_000:
            recent.clear()
        recent[slug] = (now + _FRESH_SECONDS, summary)
    response = jsonify(summary)
    # Public data whose count moves: shared caches may keep it a second at most.
    response.cache_control.public = True
    response.cache_control.max_age = 1
    return response
