"""Bot traps for public forms: a honeypot field and a minimum time to fill the form.

A form that fails either is dropped silently: the sender sees the usual answer and nothing
is stored, so a bot learns nothing from trying.

The start time is a signed token, checked on the server (its age) and used once: a bot
cannot fetch one page and post it many times. The page cache keeps a placeholder in its
shell and each reader gets a token made for their response, so a cached page never hands out
a start time older than the reader's own visit (see campaigns/page_cache.py).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from typing import Any

from disposable_email_domains import blocklist as _DISPOSABLE  # noqa: N812 - a constant set
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from ..addresses import InvalidEmail, email_domain, normalize_email

log = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="form-started")


# In a cached page shell, in place of a start token; page_cache.fill puts a fresh one in.
STARTED_PLACEHOLDER = f"form-started-placeholder-{secrets.token_hex(8)}"
_MAX_AGE = 7 * 24 * 3600
_local_uses: dict[str, float] = {}  # when the shared storage is down: this process only
_local_lock = threading.Lock()


def started_token() -> str:
    if has_app_context() and g.get("rendering_page_shell"):
        return STARTED_PLACEHOLDER
    # A nonce makes every page view's token unique, so single use never hits two readers.
    return _serializer().dumps([int(time.time()), secrets.token_urlsafe(6)])


def _started_at(token: str) -> int | None:
    try:
        value = _serializer().loads(token or "", max_age=_MAX_AGE)
    except (BadSignature, TypeError, ValueError):
        return None
    if isinstance(value, list) and len(value) == 2:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _first_use(token: str) -> bool:
    """True the first time a start token is posted (shared across processes via the
    rate-limit storage: Redis in production)."""
    key = "formtoken:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    try:
        from .limits import _storage
        return _storage().incr(key, _MAX_AGE) == 1
    except Exception:  # noqa: BLE001 - storage down: remember in this process
        now = time.monotonic()
        with _local_lock:
            if len(_local_uses) > 100_000:
                _local_uses.clear()
            fresh = _local_uses.get(key, 0) < now
            _local_uses[key] = now + _MAX_AGE
        return fresh


class BotTrapForm(FlaskForm):
    """Base for public forms: render `{{ bot_trap(form) }}` (macros/forms.html) inside them."""

    website = StringField(_l("Leave this field empty"))   # the honeypot
    form_started = HiddenField(default=started_token)

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        # A field sent twice (an array where one value belongs) is malformed, not a choice.
        if has_request_context() and self.is_submitted():
            for name, field in self._fields.items():
                if len(request.form.getlist(name)) > 1:
                    field.errors = [*field.errors, _l("Please send this field only once.")]
                    valid = False
        return valid


def is_bot(form: BotTrapForm) -> bool:
    return is_bot_post(form.website.data, form.form_started.data)


def is_bot_post(website: str | None, form_started: str | None) -> bool:
    """is_bot on a post's honeypot and start token (the sign view reads them without a
    form)."""
    reason = _bot_reason(website, form_started)
    if reason:
        _log_dropped(reason)
    return reason is not None


def _bot_reason(website: str | None, form_started: str | None) -> str | None:
    if (website or "").strip():
        return "honeypot filled"
    minimum = current_app.config.get("ABUSE_MIN_FILL_SECONDS") or 0
    if minimum <= 0:
        return None
    token = form_started or ""
    started = _started_at(token)
    if started is None:
        return "form start time missing or tampered"
    if time.time() - started < minimum:
        return f"sent within {minimum} s of being shown"
    if not _first_use(token):
        return "the same form posted again"
    if has_request_context():
        # The reader's next page view must not be a 304 holding this used token.
        session["forms_used"] = session.get("forms_used", 0) + 1
    return None


def _log_dropped(reason: str) -> None:
    """A dropped form looks like a success to its sender (so a bot learns nothing), so say it
    in the log: the reason, the page and a count per process, never what was typed or who
    sent it. A developer who posts faster than ABUSE_MIN_FILL_SECONDS sees why no e-mail came.
    """
    counts = current_app.extensions.setdefault("bot_trap_drops", {})
    counts[reason] = counts.get(reason, 0) + 1
    where = request.endpoint if has_request_context() else "-"
    log.warning("bot trap dropped a form on %s: %s (%d dropped for this reason since start)",
                where, reason, counts[reason])


def is_disposable(address: str) -> bool:
    try:
        _email, key = normalize_email(address)
    except InvalidEmail:
        return False
    domain = email_domain(key)
    # Sub-domains of a throwaway service are throwaway too.
    parts = domain.split(".")
    return any(".".join(parts[i:]) in _DISPOSABLE for i in range(len(parts) - 1))


class NotDisposable:
    """Refuses throwaway-mailbox domains (list from the `disposable-email-domains` package)."""

    def __call__(self, form: Any, field: Any) -> None:
        if current_app.config.get("ABUSE_BLOCK_DISPOSABLE", True) and is_disposable(
                field.data or ""):
            raise ValidationError(_l("Please use a permanent e-mail address; "
                                     "we cannot accept throwaway mailboxes."))
