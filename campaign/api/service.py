"""Rules of the API: keys, what a key may reach, aggregates, and page cursors.

Callable without a request; the views only translate HTTP to these calls.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, cast

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Date, func, select

from ..audit import service as audit
from ..campaigns.models import Campaign
from ..extensions import db
from ..organizers.access import can_manage, managed_campaigns
from ..organizers.models import User
from ..organizers.service import needs_2fa_setup
from ..petitions.lifecycle import counted
from ..petitions.models import Signature
from ..util import utcnow
from .models import SCOPES, ApiKey

KEY_PREFIX = "kjc"
PUBLIC_STATUSES = ("live", "closed", "delivered")
# Writing last_used_at on every request would make each API call a write; a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Aggregates are GROUP BY queries: run each at most this often per process.
AGGREGATE_TTL_SECONDS = 30


# --- keys --------------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(user: User, name: str, campaign_ids: list[int], *,
               scopes: tuple[str, ...] | list[str] = SCOPES, expires_at: datetime | None = None,
               trusted_import: bool = False) -> tuple[ApiKey, str]:
    """A new key scoped to those of `campaign_ids` the user manages and to `scopes`;
    returns (key, token). Only admins may make trusted-import keys (PermissionError).

    The token is shown once and never stored; only its hash is.
    """
    if trusted_import and not user.is_admin:
        raise PermissionError("trusted import keys are for admins")
    chosen = [scope for scope in SCOPES if scope in set(scopes)]
    if (not chosen and not trusted_import) or set(scopes) - set(SCOPES):
        raise ValueError("scopes")
    if expires_at is not None and expires_at <= utcnow():
        raise ValueError("expiry")
    allowed = {campaign.id: campaign for campaign in managed_campaigns(user)}
    campaigns = [allowed[cid] for cid in campaign_ids if cid in allowed]
    if not campaigns:
        raise ValueError("no campaign the user manages")
    prefix = secrets.token_hex(6)
    token = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(user_id=user.id, name=name, prefix=prefix, secret_hash=_hash(token),
                 trusted_import=trusted_import, campaigns=campaigns,
                 scopes=",".join(chosen), expires_at=expires_at)
    db.session.add(key)
    db.session.flush()
    audit.key_created(user, key)
    db.session.commit()
    return key, token


def end_of_day(day: date | None) -> datetime | None:
    """The first moment after `day` (UTC): a key valid until a day works all of that day."""
    return None if day is None else datetime.combine(day, datetime.min.time()) + timedelta(
        days=1)


def keys_of(user: User) -> list[ApiKey]:
    return list(db.session.scalars(
        select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at.desc(),
                                                                 ApiKey.id.desc())))


def revoke_key(user: User, key_id: int) -> bool:
    """Revoke one of the user's keys; False if there is no such key, PermissionError if it is
    someone else's."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        return False
    if key.user_id != user.id:
        raise PermissionError(key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record(user, "api_key.revoke", target=f"kjc_{key.prefix}", name=key.name)
        db.session.commit()
    return True


def authenticate(token: str | None) -> ApiKey | None:
    """The active key for a token, or None. The hash is compared in constant time."""
    if not token:
        return None
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        _hash(token)
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1][:16]))
    expected = key.secret_hash if key else _hash("no such key")
    if not hmac.compare_digest(_hash(token.strip()), expected) or key is None:
        return None
    # Revoked, expired, or its owner disabled or still owing a required second factor (a key
    # made before 2FA became required must not outlive the rule).
    if not key.is_active or not key.user.is_active or needs_2fa_setup(key.user):
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
        db.session.commit()
    return key


def key_may_use(key: ApiKey, campaign: Campaign) -> bool:
    """The key is scoped to the campaign and its owner still manages it."""
    return (any(c.id == campaign.id for c in key.campaigns)
            and can_manage(key.user, campaign.id))


# --- public data --------------------------------------------------------------------------

def public_campaigns() -> list[Campaign]:
    return list(db.session.scalars(
        select(Campaign).where(Campaign.status.in_(PUBLIC_STATUSES))
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())))


def public_campaign(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(
        Campaign.slug == slug, Campaign.status.in_(PUBLIC_STATUSES)))


_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
_cache_lock = threading.Lock()
_T = TypeVar("_T")


def _cached(key: tuple[Any, ...], compute: Callable[[], _T]) -> _T:
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit and now - hit[0] < AGGREGATE_TTL_SECONDS and not current_app.testing:
        return cast(_T, hit[1])  # stored by the same key's compute
    value = compute()
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now, value)
    return value


def counts_by_country(campaign_id: int) -> list[tuple[str, int]]:
    """Confirmed signatures per country, largest first. Counts only, never who."""
    def compute() -> list[tuple[str, int]]:
        rows = db.session.execute(
            select(Signature.country, func.count())
            .where(Signature.campaign_id == campaign_id, counted())
            .group_by(Signature.country)).all()
        return sorted(((country, int(n)) for country, n in rows), key=lambda r: (-r[1], r[0]))
    return _cached(("country", campaign_id), compute)


def counts_by_day(campaign_id: int) -> list[tuple[str, int]]:
    """Confirmed signatures per UTC day of confirmation, oldest first."""
    def compute() -> list[tuple[str, int]]:
        day = func.date(Signature.confirmed_at, type_=Date)
        rows = db.session.execute(
            select(day, func.count())
            .where(Signature.campaign_id == campaign_id, counted())
            .group_by(day)).all()
        return sorted((d.isoformat(), int(n)) for d, n in rows if d is not None)
    return _cached(("day", campaign_id), compute)


# --- organizer data -----------------------------------------------------------------------

def signatures_after(campaign_id: int, after_id: int, limit: int) -> list[Signature]:
    """Confirmed signatures with id > after_id, ascending: a keyset page.

    New signatures get larger ids, so a client walking pages sees each one exactly once.
    """
    return list(db.session.scalars(
        select(Signature)
        .where(Signature.campaign_id == campaign_id, counted(),
               Signature.id > after_id)
        .order_by(Signature.id).limit(limit)))


def signature_of(campaign_id: int, signature_id: int) -> Signature | None:
    return db.session.scalar(select(Signature).where(
        Signature.id == signature_id, Signature.campaign_id == campaign_id,
        counted()))


def _cursor_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api:cursor")


def make_cursor(kind: str, campaign_id: int, last_id: int) -> str:
    return _cursor_serializer().dumps([kind, campaign_id, last_id])


def read_cursor(kind: str, campaign_id: int, cursor: str) -> int | None:
    """The last id a cursor points after; None if it is forged or for another listing."""
    try:
        payload = _cursor_serializer().loads(cursor)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if (not isinstance(payload, list) or len(payload) != 3 or payload[0] != kind
            or payload[1] != campaign_id or not isinstance(payload[2], int)):
        return None
    return payload[2]
