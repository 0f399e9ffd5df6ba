"""What a signature records about where it came from, beyond its source (web, widget, api,
paper): the campaign link's tag. A tag is a short token an organizer put in a link they
shared (`?ref=newsletter`, `?utm_source=partner-x`); anything else is dropped, so a link
cannot make the site store something personal (an address, a phone number, a name with
spaces, free text)."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from flask import Flask, current_app

REF_PARAMS = ("ref", "utm_source", "utm_campaign", "utm_medium")
_TOKEN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
_LONG_NUMBER = re.compile(r"\d{6,}")  # a phone or ID number is not a campaign tag


def clean_ref(raw: object) -> str | None:
    """A safe tag (lower-cased, 1-32 of a-z 0-9 . _ -, no run of 6+ digits), else None."""
    if not isinstance(raw, str):
        return None
    token = raw.strip().lower()
    if not _TOKEN.match(token) or _LONG_NUMBER.search(token):
        return None
    return token


def ref_from_query(values: Mapping[str, Any]) -> str | None:
    """The first safe tag among ?ref, ?utm_source, ?utm_campaign, ?utm_medium."""
    for name in REF_PARAMS:
        raw = values.get(name)
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        if raw:
            return clean_ref(raw)
    return None


def ref_from_referrer(referrer: str | None, host: str) -> str | None:
    """The tag of the campaign link a form was posted from (same-site pages only: the site
    sends `Referrer-Policy: same-origin`, so the full URL comes only from its own pages)."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != host:
        return None
    return ref_from_query(parse_qs(parts.query))


# --- a partner's campaign link ------------------------------------------------------------
# `sources` names partners and the tags of their links; it sits above petitions, so it
# registers how a tag is resolved (app.extensions["ref_partner_resolver"], set only from
# sources' init_app) and the sign form asks through here.

class LinkPartner(Protocol):
    id: int
    name: str
    credited: bool


RefPartnerResolver = Callable[[int, str], "LinkPartner | None"]


def register_ref_partner_resolver(app: Flask, resolver: RefPartnerResolver) -> None:
    app.extensions["ref_partner_resolver"] = resolver


def partner_for_ref(campaign_id: int, ref: str | None) -> LinkPartner | None:
    """The partner whose campaign link carries this (cleaned) tag, if any."""
    resolver: RefPartnerResolver | None = current_app.extensions.get("ref_partner_resolver")
    if not ref or resolver is None:
        return None
    return resolver(campaign_id, ref)
