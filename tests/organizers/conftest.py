import re

import pyotp
import pytest

from campaign.outbox import service as outbox
from tests.conftest import csrf_from


def deliver(sent_mail):
    """Run the outbox worker once; the messages delivered so far."""
    outbox.work(once=True)
    return sent_mail()


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message, pattern: str) -> str:
    match = re.search(r"http://campaign\.test(" + pattern + r"[^\s\"<]*)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def post_form(client, page_url: str, data: dict, action: str | None = None, **kwargs):
    """GET a console page, then POST `data` with its CSRF token to `action` (default: it)."""
    page = client.get(page_url)
    data = dict(data, csrf_token=csrf_from(page.get_data(as_text=True)))
    return client.post(action or page_url, data=data, **kwargs)


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


@pytest.fixture
def totp_code():
    return current_code


@pytest.fixture
def request_scoped_g(app):
    """Each request starts with an empty `g`, as on a server.

    The `app` fixture keeps one app context open for the whole test, and Flask reuses it for
    every request, so `g` would carry Flask-Login's user and Flask-WTF's token from one
    client's request into another's. Tests of sessions must not see that.
    """
    from flask import g

    def drop():
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
    app.before_request_funcs.setdefault(None, []).insert(0, drop)
    return app
