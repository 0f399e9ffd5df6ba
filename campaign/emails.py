"""E-mails as one function call each: a template folder rendered in the reader's language.

`templates/emails/<name>/{subject.txt, body.txt, body.html}` are rendered with the recipient's
language forced, then queued in the outbox in the caller's transaction.

Each kind of e-mail has a `MailKind`: its priority in the outbox (what a person waits for goes
first), its Auto-Submitted header, and whether it is bulk (a List-Id; not sent to an address
that unsubscribed from everything or complained). Mail to a signer, donor or letter writer
carries RFC 8058 one-click unsubscribe headers (`unsubscribe_headers`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import current_app, render_template

from . import i18n
from .addresses import normalize_email
from .outbox import service as outbox
from .tokens import make_token

if TYPE_CHECKING:
    from .campaigns.models import Campaign
    from .outbox.models import OutboxMessage

# The token of the address-wide unsubscribe link (outbox/views.py reads it).
UNSUBSCRIBE_ALL_PURPOSE = "unsubscribe-all"
PRIVACY_MAIL_PURPOSE = "privacy-mail"  # read by privacy.service.email_key_from_token


@dataclass(frozen=True)
class MailKind:
    priority: int = outbox.PRIORITY_URGENT
    # RFC 3834: "auto-generated" for mail a machine sends; None for mail a person wrote.
    # ("auto-replied" is for an automatic answer to a received e-mail: the site answers
    # none, a confirmation answers a web form.)
    auto_submitted: str | None = "auto-generated"
    bulk: bool = False


MAIL_KINDS: dict[str, MailKind] = {
    # Queued by a sweep, possibly thousands at once: after today's confirmations.
    "signature_reminder": MailKind(priority=outbox.PRIORITY_BACKGROUND),
    # A supporter's own letter, sent on their behalf: written by a person.
    "letters_letter": MailKind(auto_submitted=None),
    "campaign_update": MailKind(priority=outbox.PRIORITY_BULK, bulk=True),
    # The organizer's own copy before sending: they wait for it.
    "campaign_update_test": MailKind(),
}


def mail_kind(name: str) -> MailKind:
    return MAIL_KINDS.get(name, MailKind())


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on SITE_URL, built without needing a request."""
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/",
                                       url_scheme=site.scheme)
    return adapter.build(endpoint, values, force_external=True)


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click: the mailbox provider POSTs `List-Unsubscribe=One-Click` to `url`."""
    return {"List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def address_links(address: str) -> dict[str, str]:
    """Links for mail to someone known only by address (a donor, a letter writer): stop all
    news to this address, and copy or delete everything held about it."""
    email_key = normalize_email(address)[1]
    return {
        "unsubscribe_all_url": external_url(
            "mail.unsubscribe_all", token=make_token(UNSUBSCRIBE_ALL_PURPOSE, email_key)),
        "data_url": external_url(
            "privacy.data", token=make_token(PRIVACY_MAIL_PURPOSE, email_key)),
    }


def list_id(campaign: Campaign) -> str:
    """`<slug.domain>` (RFC 2919): lets readers filter one campaign's news."""
    from .outbox.signing import message_id_domain
    return f"<{campaign.slug}.{message_id_domain()}>"


def render_email(name: str, lang: str, **context: Any) -> tuple[str, str, str]:
    context.setdefault("lang", lang)
    # The reader's language, whatever the language of the request that causes the e-mail.
    with i18n.force_language(lang):
        subject = render_template(f"emails/{name}/subject.txt", **context)
        text = render_template(f"emails/{name}/body.txt", **context)
        html = render_template(f"emails/{name}/body.html", **context)
    # One line; only ASCII whitespace collapses, so French no-break spaces (« : ») survive.
    return re.sub(r"[ \t\r\n]+", " ", subject).strip(), text, html


def compose_email(name: str, *, lang: str, headers: dict[str, str] | None = None,
                  campaign: Campaign | None = None, **context: Any
                  ) -> tuple[str, str, str, dict[str, str]]:
    """Subject, text, HTML and headers of an e-mail of kind `name` (its MailKind's headers
    added): what `queue_email` queues now, and what a renderer at delivery builds
    (outbox/rendering.py)."""
    kind = mail_kind(name)
    if campaign is not None:
        context["campaign"] = campaign
    subject, text, html = render_email(name, lang, **context)
    headers = dict(headers or {})
    if kind.auto_submitted:
        headers["Auto-Submitted"] = kind.auto_submitted
    if kind.bulk:
        headers["Precedence"] = "bulk"
        if campaign is not None:
            headers["List-Id"] = list_id(campaign)
    return subject, text, html, headers


def queue_email(name: str, *, to: str, lang: str, reply_to: str | None = None,
                headers: dict[str, str] | None = None, campaign: Campaign | None = None,
                **context: Any) -> OutboxMessage:
    """Render and queue. `campaign`: what the mail is about (List-Id on bulk mail, bounce
    counts per campaign); it is also passed to the templates."""
    subject, text, html, headers = compose_email(name, lang=lang, headers=headers,
                                                 campaign=campaign, **context)
    return outbox.enqueue(kind=name, to=to, subject=subject, body_text=text, body_html=html,
                          reply_to=reply_to, headers=headers, priority=mail_kind(name).priority,
                          campaign_id=campaign.id if campaign is not None else None)
