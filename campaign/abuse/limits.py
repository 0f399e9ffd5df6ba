"""Named rate limits per IP network, e-mail address and e-mail domain.

Limits come from settings named ``RATELIMIT_<ACTION>_PER_<NETWORK|EMAIL|DOMAIN>`` (e.g.
``RATELIMIT_SIGN_PER_NETWORK="30/minute"``); an action without a setting is not limited.
Counters live in the `limits` storage Flask-Limiter is configured with (Redis when REDIS_URL is set, else memory). Keys are
keyed hashes, so Redis never holds an address. When the storage fails, counting goes on in
this process's memory and a warning is logged: the site degrades, it does not refuse everyone.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time

from flask import current_app
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from ..addresses import email_domain, network_of

log = logging.getLogger(__name__)

_fallback = FixedWindowRateLimiter(MemoryStorage())
_last_warning = 0.0


def _strategy() -> FixedWindowRateLimiter:
    """A fixed-window counter on the app's rate-limit storage (Redis or memory).

    Built from the same settings as Flask-Limiter's (RATELIMIT_STORAGE_URI and _OPTIONS),
    once per app, so it also exists when the app started with limits off (tests).
    """
    app = current_app._get_current_object()
    strategy = app.extensions.get("abuse_rate_limiter")
    if strategy is None:
        storage = storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
                                      **(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}))
        strategy = app.extensions["abuse_rate_limiter"] = FixedWindowRateLimiter(storage)
    return strategy


class RateLimited(TooManyRequests):
    """429 with Retry-After; the error page is translated by campaign.errors."""

    def __init__(self, retry_after: int, limit_name: str):
        super().__init__(retry_after=retry_after)
        self.limit_name = limit_name
        self.description_key = "rate"


def _key(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:24]


def _common_domains() -> set[str]:
    raw = current_app.config.get("RATELIMIT_COMMON_DOMAINS") or ""
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


def _subjects(ip: str | None, email_key: str | None) -> list[tuple[str, str]]:
    subjects = []
    network = network_of(ip)
    if network:
        subjects.append(("NETWORK", network))
    if email_key:
        subjects.append(("EMAIL", email_key))
        domain = email_domain(email_key)
        # Big webmail providers carry real crowds; a domain limit would block them.
        if domain not in _common_domains():
            subjects.append(("DOMAIN", domain))
    return subjects


_RETRY_STORAGE_AFTER = 30.0  # seconds; a dead Redis is not asked on every request


def _hit(item, *identifiers) -> tuple[bool, int]:
    """Count one hit; returns (allowed, seconds until the window resets)."""
    global _last_warning
    state = current_app.extensions
    strategy = _fallback
    if time.monotonic() >= state.get("abuse_storage_down_until", 0.0):
        try:
            allowed = _strategy().hit(item, *identifiers)
            strategy = _strategy()
        except Exception as exc:  # noqa: BLE001 - storage down: degrade to local counting
            state["abuse_storage_down_until"] = time.monotonic() + _RETRY_STORAGE_AFTER
            if time.monotonic() - _last_warning > 60:
                log.warning("rate limit storage unavailable (%s); counting in memory",
                            type(exc).__name__)
                _last_warning = time.monotonic()
    if strategy is _fallback:
        allowed = _fallback.hit(item, *identifiers)
    if allowed:
        return True, 0
    try:
        reset = strategy.get_window_stats(item, *identifiers).reset_time
    except Exception:  # noqa: BLE001
        reset = time.time() + item.get_expiry()
    return False, max(1, math.ceil(reset - time.time()))


def check_rate(action: str, *, ip: str | None = None, email_key: str | None = None) -> None:
    """Count one `action` against every limit that applies; raise RateLimited when over."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return
    for kind, value in _subjects(ip, email_key):
        setting = f"RATELIMIT_{action.upper()}_PER_{kind}"
        spec = config.get(setting)
        if not spec:
            continue
        for item in parse_many(spec):
            allowed, retry_after = _hit(item, action, kind, _key(kind, value))
            if not allowed:
                log.info("rate limit %s exceeded (%s)", setting, item)
                raise RateLimited(retry_after, setting)
