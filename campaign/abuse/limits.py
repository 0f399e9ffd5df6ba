"""Named rate limits per client address, IP network, e-mail address and e-mail domain.

Why four subjects (carrier-grade NAT): mobile networks in Kazakhstan and Kyrgyzstan put many
people behind few addresses, so the limit per network (IPv4 /24, IPv6 /48) is high and the
limit per address (IPv4 address, IPv6 /64) moderate; what stops a script flooding mail is
the e-mail side: one address is e-mailed at most once per resend interval and a few times an
hour, one domain (other than big webmail) a bounded number of times, throwaway domains never,
and only confirmed signatures count. Networks an admin allow-lists skip the address and
network limits.

Limits come from settings named ``RATELIMIT_<ACTION>_PER_<ADDRESS|NETWORK|EMAIL|DOMAIN>``
(e.g. ``RATELIMIT_SIGN_PER_NETWORK="600/minute"``); an action without a setting is not
limited. For signing, the console's limit settings row (abuse.models.LimitSettings) overrides
them without a redeploy; each process reads it at most every LIMIT_SETTINGS_CACHE_SECONDS.

Counters are fixed windows in the `limits` storage Flask-Limiter is configured with (Redis
when REDIS_URL is set, else memory), one key per subject and window. Every key holds a keyed
hash (HMAC with SECRET_KEY) of the network, address or e-mail, never the raw value; the
Flask-Limiter key function `address_key` does the same for the decorator limits (login,
letters, donate, widget, API). When the storage fails, counting goes on in this process's
memory and a warning is logged: the site degrades, it does not refuse everyone.

Two steps, so a refused request is cheap and nobody can use up someone else's quota:
`peek_rate` (before CSRF and form validation) only reads the counters of the client's own
address and network and refuses when one is already full; `check_rate` (after the form is
valid) counts the attempt against every subject. Invalid requests therefore count nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, has_request_context, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from werkzeug.exceptions import TooManyRequests

from ..addresses import email_domain

log = logging.getLogger(__name__)

# The clock the windows are cut by; tests move it to simulate minutes in milliseconds.
clock = time.time

_fallback = MemoryStorage()
_last_warning = 0.0
_RETRY_STORAGE_AFTER = 30.0  # seconds; a dead Redis is not asked on every request

# Prefix lengths: one subscriber (IPv6 hands a /64 to one household or phone) and one network.
ADDRESS_PREFIX = {4: 32, 6: 64}
NETWORK_PREFIX = {4: 24, 6: 48}

# The limits the console's settings row can override, by (action, subject).
CONSOLE_LIMITS = {("sign", "ADDRESS"): "sign_per_address",
                  ("sign", "NETWORK"): "sign_per_network",
                  ("sign", "EMAIL"): "sign_per_email",
                  ("sign", "DOMAIN"): "sign_per_domain"}


class RateLimited(TooManyRequests):
    """429 with Retry-After; the error page is translated by campaign.errors."""

    def __init__(self, retry_after: int, limit_name: str):
        super().__init__(retry_after=retry_after)
        self.limit_name = limit_name
        self.description_key = "rate"


# --- subjects and their keyed hashes ------------------------------------------------------

def _ip(ip: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address


def _prefix(address: ipaddress.IPv4Address | ipaddress.IPv6Address, prefixes: dict[int, int]
            ) -> str:
    return str(ipaddress.ip_network(f"{address}/{prefixes[address.version]}", strict=False))


def keyed_hash(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:24]


def address_key(ip: str | None = None) -> str:
    """Keyed hash of the client's address (IPv4) or its /64 (IPv6), never the address.

    Flask-Limiter's key function (every decorator limit) and the API's fallback key.
    """
    if ip is None and has_request_context():
        ip = request.remote_addr
    address = _ip(ip)
    return "a-" + keyed_hash("ADDRESS", _prefix(address, ADDRESS_PREFIX) if address
                             else "unknown")


# --- settings: deployment defaults, overridden by the console's row -----------------------

@dataclass(frozen=True)
class Snapshot:
    overrides: dict[str, str]              # column name -> limit spec
    allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    expires: float


_settings_lock = threading.Lock()


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """CIDR networks, one per line (# starts a comment); ValueError names a bad line."""
    networks = []
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            try:
                networks.append(ipaddress.ip_network(line, strict=False))
            except ValueError as exc:
                raise ValueError(line) from exc
    return networks


def _load_snapshot() -> Snapshot:
    from ..extensions import db
    from .models import LimitSettings

    ttl = current_app.config.get("LIMIT_SETTINGS_CACHE_SECONDS", 10)
    try:
        row = db.session.get(LimitSettings, 1)
    except Exception:  # noqa: BLE001 - database trouble must not block signing: defaults
        db.session.rollback()
        log.warning("limit settings unreadable; using the configured defaults")
        return Snapshot({}, (), time.monotonic() + ttl)
    if row is None:
        return Snapshot({}, (), time.monotonic() + ttl)
    overrides = {column: getattr(row, column) for column in CONSOLE_LIMITS.values()
                 if getattr(row, column)}
    try:
        allowed = tuple(parse_networks(row.allowed_networks))
    except ValueError:
        allowed = ()
    return Snapshot(overrides, allowed, time.monotonic() + ttl)


def settings_snapshot() -> Snapshot:
    """The console's limit settings, read at most every LIMIT_SETTINGS_CACHE_SECONDS."""
    state = current_app.extensions
    snapshot = state.get("abuse_limit_settings")
    if snapshot is None or snapshot.expires <= time.monotonic():
        with _settings_lock:
            snapshot = state["abuse_limit_settings"] = _load_snapshot()
    return snapshot


def forget_settings() -> None:
    """Drop this process's copy (after a change in the console); others follow within the TTL."""
    current_app.extensions.pop("abuse_limit_settings", None)


def spec_for(action: str, kind: str, snapshot: Snapshot | None = None) -> str | None:
    column = CONSOLE_LIMITS.get((action, kind))
    if column:
        snapshot = snapshot or settings_snapshot()
        if column in snapshot.overrides:
            return snapshot.overrides[column]
    return current_app.config.get(f"RATELIMIT_{action.upper()}_PER_{kind}")


def is_allowed_network(ip: str | None, snapshot: Snapshot | None = None) -> bool:
    address = _ip(ip)
    if address is None:
        return False
    snapshot = snapshot or settings_snapshot()
    return any(address.version == net.version and address in net for net in snapshot.allowed)


def _common_domains() -> set[str]:
    raw = current_app.config.get("RATELIMIT_COMMON_DOMAINS") or ""
    return {part.strip().lower() for part in raw.split(",") if part.strip()}


def _subjects(ip: str | None, email_key: str | None, snapshot: Snapshot
              ) -> list[tuple[str, str]]:
    """(kind, keyed hash) of each subject this request is counted against."""
    subjects = []
    address = _ip(ip)
    if address is not None and not is_allowed_network(ip, snapshot):
        subjects.append(("ADDRESS", keyed_hash("ADDRESS", _prefix(address, ADDRESS_PREFIX))))
        subjects.append(("NETWORK", keyed_hash("NETWORK", _prefix(address, NETWORK_PREFIX))))
    if email_key:
        subjects.append(("EMAIL", keyed_hash("EMAIL", email_key)))
        domain = email_domain(email_key)
        # Big webmail providers carry real crowds; a domain limit would block them.
        if domain not in _common_domains():
            subjects.append(("DOMAIN", keyed_hash("DOMAIN", domain)))
    return subjects


# --- counting -------------------------------------------------------------------------------

def _storage() -> Storage:
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
    storage: Storage | None = app.extensions.get("abuse_rate_storage")
    if storage is None:
        # Same settings as Flask-Limiter's, built once per app, so it also exists when the
        # app started with limits off (tests).
        storage = cast(Storage, storage_from_string(  # a sync URI (not "async+...")
            app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
            **(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})))
        app.extensions["abuse_rate_storage"] = storage
    return storage


def _call(method: str, *args: Any) -> Any:
    """storage.<method>(*args) on the configured storage, or on local memory when it fails."""
    global _last_warning
    state = current_app.extensions
    if time.monotonic() >= state.get("abuse_storage_down_until", 0.0):
        try:
            return getattr(_storage(), method)(*args)
        except Exception as exc:  # noqa: BLE001 - storage down: degrade to local counting
            state["abuse_storage_down_until"] = time.monotonic() + _RETRY_STORAGE_AFTER
            if time.monotonic() - _last_warning > 60:
                log.warning("rate limit storage unavailable (%s); counting in memory",
                            type(exc).__name__)
                _last_warning = time.monotonic()
    return getattr(_fallback, method)(*args)


def _counters(action: str, ip: str | None, email_key: str | None
              ) -> Iterator[tuple[str, RateLimitItem, str, int]]:
    """(setting name, limit item, storage key, seconds to the window's end) per counter."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    snapshot = settings_snapshot()
    now = clock()
    for kind, subject in _subjects(ip, email_key, snapshot):
        spec = spec_for(action, kind, snapshot)
        if not spec:
            continue
        for item in parse_many(spec):
            period = item.get_expiry()
            window = int(now // period)
            # By period, not amount: a limit changed in the console keeps the window's count.
            key = f"abuse/{action}/{kind}/{subject}/{period}/{window}"
            yield (f"RATELIMIT_{action.upper()}_PER_{kind}", item, key,
                   max(1, math.ceil(period * (window + 1) - now)))


def peek_rate(action: str, *, ip: str | None = None) -> None:
    """Refuse cheaply when the client's address or network has used up its quota.

    Reads only; counts nothing. Meant to run before CSRF and form validation.
    """
    for name, item, key, retry_after in _counters(action, ip, None):
        if _call("get", key) >= item.amount:
            raise RateLimited(retry_after, name)


def check_rate(action: str, *, ip: str | None = None, email_key: str | None = None) -> None:
    """Count one `action` against every limit that applies; raise RateLimited when over."""
    for name, item, key, retry_after in _counters(action, ip, email_key):
        if _call("incr", key, item.get_expiry()) > item.amount:
            log.info("rate limit %s exceeded (%s)", name, item)
            raise RateLimited(retry_after, name)
