"""E-mails as one function call each: a template folder rendered in the reader's language.

`templates/emails/<name>/{subject.txt, body.txt, body.html}` are rendered with the recipient's
language forced, then queued in the outbox in the caller's transaction.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, render_template

from . import i18n
from .outbox import service as outbox


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on SITE_URL, built without needing a request."""
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/",
                                       url_scheme=site.scheme)
    return adapter.build(endpoint, values, force_external=True)


def render_email(name: str, lang: str, **context) -> tuple[str, str, str]:
    context.setdefault("lang", lang)
    # The reader's language, whatever the language of the request that causes the e-mail.
    with i18n.force_language(lang):
        subject = render_template(f"emails/{name}/subject.txt", **context)
        text = render_template(f"emails/{name}/body.txt", **context)
        html = render_template(f"emails/{name}/body.html", **context)
    # One line; only ASCII whitespace collapses, so French no-break spaces (« : ») survive.
    return re.sub(r"[ \t\r\n]+", " ", subject).strip(), text, html


def queue_email(name: str, *, to: str, lang: str, reply_to: str | None = None,
                headers: dict | None = None, **context):
    subject, text, html = render_email(name, lang, **context)
    return outbox.enqueue(kind=name, to=to, subject=subject, body_text=text, body_html=html,
                          reply_to=reply_to, headers=headers)
