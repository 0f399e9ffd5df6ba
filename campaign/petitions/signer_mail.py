"""The outbox renderer of the e-mails to signers (SIGNER_MAIL_KINDS), a batch at a time.

The worker claims a batch of rows queued by the sign, confirm and reminder paths
(outbox/rendering.py). Their e-mails differ only in a few values: the signer's name and the
three signed links (confirm, unsubscribe, forget). So each (kind, campaign, language) of a
batch is rendered ONCE, with unguessable marks in place of those values (a "shell"); each
message is then the shell with its own values put in, HTML-escaped in the HTML body as the
template would have escaped them. What a shell cannot stand for (a template reading another
attribute of the signature, e.g. the reminder's date) is rendered per message with
`service.signer_email`, the reference the shell's output is tested against
(tests/outbox/test_batch_rendering.py).

The links: the URL of each link endpoint is built once per batch around a mark, and each
message's signed token put in (the token alphabet is URL-safe: nothing to quote).
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from markupsafe import escape
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .. import emails
from ..campaigns.models import Campaign
from ..extensions import db
from ..outbox.models import OutboxMessage
from ..outbox.rendering import Rendered
from . import service
from .models import Signature

# Unguessable per process (an organizer cannot put one in a campaign title), made of
# characters no escaping or whitespace folding changes.
_NONCE = secrets.token_hex(6)
_FIELDS = ("full_name", "confirm_url", "unsubscribe_url", "forget_url")
_MARKS = {name: f"\ue000{_NONCE}{number}\ue001" for number, name in enumerate(_FIELDS)}
_MARK_RE = re.compile("\ue000" + _NONCE + r"(\d)\ue001")
_TOKEN_MARK = f"TOKEN{_NONCE}"
_LINK_ENDPOINTS = {"confirm_url": ("petitions.confirm", "confirm"),
                   "unsubscribe_url": ("petitions.unsubscribe", "unsubscribe"),
                   "forget_url": ("petitions.forget", "forget")}


class _PerMessage(Exception):
    """The template read something of the signer a shell cannot stand for."""


class _SignerStandIn:
    """What a shell's templates see as `signature`: its name is a mark; anything else
    stops the shell (the group is rendered per message)."""

    full_name = _MARKS["full_name"]

    def __getattr__(self, name: str) -> Any:
        raise _PerMessage(name)


def _split(text: str) -> tuple[str | int, ...]:
    """Literal pieces and field numbers, alternating, for a fast join per message."""
    pieces: list[str | int] = []
    for index, piece in enumerate(_MARK_RE.split(text)):
        pieces.append(int(piece) if index % 2 else piece)
    return tuple(pieces)


def _fill(pieces: tuple[str | int, ...], values: tuple[str, ...]) -> str:
    if len(pieces) == 1:
        return pieces[0]  # type: ignore[return-value]  # one piece is always a literal
    return "".join(values[p] if type(p) is int else p for p in pieces)  # type: ignore[misc]  # ints index, strs are text


@dataclass(frozen=True)
class _Shell:
    subject: tuple[str | int, ...]
    body_text: tuple[str | int, ...]
    body_html: tuple[str | int, ...] | None
    headers: tuple[tuple[str, tuple[str | int, ...]], ...]

    def fill(self, values: tuple[str, ...]) -> Rendered:
        html_values = tuple(str(escape(value)) for value in values)
        return Rendered(
            subject=_fill(self.subject, values), body_text=_fill(self.body_text, values),
            body_html=(_fill(self.body_html, html_values) if self.body_html is not None
                       else None),
            headers={name: _fill(value, values) for name, value in self.headers})


def _shell(kind: str, campaign: Campaign, lang: str) -> _Shell | None:
    """The e-mail of `kind` with marks for the signer's values, or None when its templates
    need more of the signer than the marks stand for."""
    links = {name: _MARKS[name] for name in _LINK_ENDPOINTS}
    try:
        message = service.compose_signer_email(
            kind, _SignerStandIn(), campaign, lang, links)  # type: ignore[arg-type]  # duck-typed stand-in
    except _PerMessage:
        return None
    return _Shell(subject=_split(message.subject), body_text=_split(message.body_text),
                  body_html=_split(message.body_html) if message.body_html is not None
                  else None,
                  headers=tuple((name, _split(value))
                                for name, value in message.headers.items()))


def _link_builders() -> dict[str, tuple[str, str, str]]:
    """{field: (prefix, suffix, token purpose)}: each link's URL around its token."""
    builders = {}
    for name, (endpoint, purpose) in _LINK_ENDPOINTS.items():
        prefix, _, suffix = emails.external_url(endpoint, token=_TOKEN_MARK).partition(
            _TOKEN_MARK)
        builders[name] = (prefix, suffix, purpose)
    return builders


_SIGNATURES = (select(Signature).where(Signature.id.in_(bindparam("ids", expanding=True)))
               .options(joinedload(Signature.campaign)))


def render_signer_emails(rows: list[OutboxMessage]) -> dict[int, Rendered]:
    """The outbox renderer of SIGNER_MAIL_KINDS: one query for a batch's signatures, one
    rendering per kind, campaign and language.

    A row whose signature is gone (the forget link, an erasure, an anonymised campaign) or
    is now someone else's (SQLite may reuse a deleted row's id) is left out: not sent."""
    ids = sorted({row.render_ref for row in rows if row.render_ref is not None})
    signatures = {signature.id: signature
                  for signature in db.session.scalars(_SIGNATURES, {"ids": ids})}
    builders = _link_builders()
    shells: dict[tuple[str, int, str], _Shell | None] = {}
    rendered: dict[int, Rendered] = {}
    for row in rows:
        signature = signatures.get(row.render_ref) if row.render_ref is not None else None
        if (signature is None or signature.campaign_id != row.campaign_id
                or signature.email != row.to_addr):
            continue
        lang = row.render_lang or signature.locale
        key = (row.kind, signature.campaign_id, lang)
        if key not in shells:
            shells[key] = _shell(row.kind, signature.campaign, lang)
        shell = shells[key]
        if shell is None:
            rendered[row.id] = service.signer_email(row.kind, signature, signature.campaign,
                                                    lang)
            continue
        links = {name: prefix + service.signature_token(purpose, signature) + suffix
                 for name, (prefix, suffix, purpose) in builders.items()}
        rendered[row.id] = shell.fill((signature.full_name, links["confirm_url"],
                                       links["unsubscribe_url"], links["forget_url"]))
    return rendered
