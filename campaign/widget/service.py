"""Rules of the widget: which sites may frame it, and its own form token."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import idna
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..tokens import InvalidToken, make_token, read_token
from .models import WidgetSettings


class BadOrigin(ValueError):
    """Not an origin a browser would send (scheme://host[:port], http or https)."""


def normalize_origin(raw: str) -> str:
    """`https://Partner.org/path` -> `https://partner.org`; raises BadOrigin."""
    parts = urlsplit(raw.strip())
    try:
        port = parts.port
    except ValueError as exc:
        raise BadOrigin(raw) from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise BadOrigin(raw)
    if any(c in host for c in "*;'\" ,"):
        raise BadOrigin(raw)
    host = _ascii_host(host, raw)
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _ascii_host(host: str, raw: str) -> str:
    """The host as browsers send it in Origin and match it in frame-ancestors: IDNA-encoded
    (`пример.рф` -> `xn--e1afmkfd.xn--p1ai`), so a stored origin always matches."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise BadOrigin(raw) from exc


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

def form_token(campaign_id: int) -> str:
    return make_token("widget-form", [campaign_id, secrets.token_hex(4)])


def check_form_token(campaign_id: int, token: str | None) -> bool:
    if not token:
        return False
    try:
        payload = read_token("widget-form", token,
                             current_app.config["WIDGET_TOKEN_MAX_AGE_SECONDS"])
    except InvalidToken:
        return False
    return isinstance(payload, list) and len(payload) == 2 and payload[0] == campaign_id
