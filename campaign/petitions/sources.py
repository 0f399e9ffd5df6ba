"""What a signature records about where it came from, beyond its source (web, widget, api,
paper): the campaign link's tag. A tag is a short token an organizer put in a link they
shared (`?ref=newsletter`, `?utm_source=partner-x`); anything else is dropped, so a link
cannot make the site store something personal (an address, a phone number, a name with
spaces, free text)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
