"""Rules of the widget: which sites may frame it, and its own form token."""
from __future__ import annotations

import secrets
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..framing import BadOrigin as BadOrigin  # kept importable here (an explicit re-export)
from ..framing import normalize_origin
from ..tokens import InvalidToken, make_token, read_token
from .models import WidgetSettings


def settings_for(campaign_id: int) -> WidgetSettings | None:
    return db.session.scalar(select(WidgetSettings).where(
        WidgetSettings.campaign_id == campaign_id))


def set_framing(campaign_id: int, origins: list[str], *, allow_any: bool = False) -> list[str]:
    """Store who may frame the widget (origins are normalised; BadOrigin if one is wrong)."""
    normalized = list(dict.fromkeys(normalize_origin(o) for o in origins if o.strip()))
    settings = settings_for(campaign_id)
    if settings is None:
        settings = WidgetSettings(campaign_id=campaign_id)
        db.session.add(settings)
    settings.allowed_origins = " ".join(normalized)
    settings.allow_any = allow_any
    db.session.commit()
    return normalized


def frame_ancestors(campaign_id: int) -> list[str]:
    """CSP frame-ancestors sources for the campaign's widget: the listed origins, `*`, or
    `'none'` when the organizer has listed nobody."""
    settings = settings_for(campaign_id)
    if settings is None:
        return ["'none'"]
    if settings.allow_any:
        return ["*"]
    return settings.origins or ["'none'"]


# The widget's form token replaces the session-bound CSRF token: inside a partner's page our
# cookies are third-party (SameSite=Lax cookies are not sent, and browsers block third-party
# cookies more and more), so the form must work with no cookie at all. The token is signed,
# bound to the campaign and short-lived.

# The token also carries where the widget was shown (the partner credited, its origin and the
# link's tag), decided when the form was served: signed, so a signer cannot credit another
# partner by editing the form.

def form_token(campaign_id: int, partner_id: int | None = None, origin: str | None = None,
               ref: str | None = None) -> str:
    return make_token("widget-form", [campaign_id, secrets.token_hex(4), partner_id or 0,
                                      origin or "", ref or ""])


def form_source(campaign_id: int, token: str | None) -> dict[str, Any] | None:
    """{"partner_id", "origin", "ref"} from a valid token for this campaign, else None."""
    if not token:
        return None
    try:
        payload = read_token("widget-form", token,
                             current_app.config["WIDGET_TOKEN_MAX_AGE_SECONDS"])
    except InvalidToken:
        return None
    if not isinstance(payload, list) or len(payload) not in (2, 5) or payload[0] != campaign_id:
        return None
    partner_id, origin, ref = payload[2:] if len(payload) == 5 else (0, "", "")
    return {"partner_id": partner_id if isinstance(partner_id, int) and partner_id else None,
            "origin": origin if isinstance(origin, str) and origin else None,
            "ref": ref if isinstance(ref, str) and ref else None}


def check_form_token(campaign_id: int, token: str | None) -> bool:
    return form_source(campaign_id, token) is not None
