"""Helpers for tests that post public forms the way a browser does."""
from __future__ import annotations

import re
from html import unescape

from tests.factories import make_campaign  # noqa: F401 - re-exported for convenience

SIGN_FORM = {"full_name": "Aisha Vanahun", "email": "aisha@example.org", "country": "KZ",
             "comment": "Free them", "display": "full", "updates": "y"}


def hidden_inputs(html: str) -> dict[str, str]:
    """Every hidden input of the page (CSRF token, form start time), as a browser sends."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' not in tag:
            continue
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def sign_post(client, campaign, lang="en", **changes):
    page = client.get(f"/{lang}/c/{campaign.slug}").get_data(as_text=True)
    data = dict(SIGN_FORM, **hidden_inputs(page))
    data.update(changes)
    return client.post(f"/{lang}/c/{campaign.slug}/sign", data=data)
