"""Spotting floods of signatures and invalidating a suspicious batch.

A velocity alarm compares the last hour's signatures with the hourly average of the day
before, and looks for one e-mail domain or one network taking most of the recent ones.
Invalidation keeps the rows (with the reason) so an organizer can explain the count.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import InstrumentedAttribute

from ...extensions import db
from ...util import utcnow
from .. import lifecycle
from ..models import Signature, SignatureStatus

_DOMAIN = func.substr(Signature.email_key, func.instr(Signature.email_key, "@") + 1)


def _domain_expr() -> ColumnElement[Any]:
    # instr() is SQLite; PostgreSQL spells it strpos().
    if db.engine.dialect.name == "postgresql":
        return func.split_part(Signature.email_key, "@", 2)
    return _DOMAIN


@dataclass
class Group:
    kind: str       # "domain" or "network"
    value: str      # the domain, or the network's keyed hash
    count: int
    share: float


@dataclass
class Velocity:
    last_hour: int
    hourly_baseline: float
    alarms: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


def _count_since(campaign_id: int, since: datetime, until: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.campaign_id == campaign_id, Signature.status != SignatureStatus.INVALIDATED,
        Signature.created_at >= since, Signature.created_at < until)) or 0


def _top(campaign_id: int, column: ColumnElement[Any] | InstrumentedAttribute[Any],
         since: datetime, limit: int = 5) -> Sequence[Row[Any, int]]:
    return db.session.execute(
        select(column.label("value"), func.count().label("n"))
        .where(Signature.campaign_id == campaign_id,
               Signature.status != SignatureStatus.INVALIDATED,
               Signature.created_at >= since, column.is_not(None))
        .group_by(column).order_by(func.count().desc()).limit(limit)).all()


def velocity(campaign_id: int, now: datetime | None = None) -> Velocity:
    """The campaign's signing rate and concentration, with alarms in plain words."""
    config = current_app.config
    now = now or utcnow()
    hour_ago, day_ago = now - timedelta(hours=1), now - timedelta(hours=25)
    last_hour = _count_since(campaign_id, hour_ago, now + timedelta(seconds=1))
    baseline = _count_since(campaign_id, day_ago, hour_ago) / 24
    result = Velocity(last_hour=last_hour, hourly_baseline=round(baseline, 1))
    minimum = config.get("ABUSE_VELOCITY_MIN_PER_HOUR", 50)
    factor = config.get("ABUSE_VELOCITY_FACTOR", 5)
    if last_hour >= minimum and last_hour > factor * baseline:
        result.alarms.append("rate")
    share_limit = config.get("ABUSE_GROUP_SHARE", 0.5)
    day_total = _count_since(campaign_id, now - timedelta(hours=24), now + timedelta(seconds=1))
    for kind, column in (("domain", _domain_expr()), ("network", Signature.ip_hash)):
        for value, count in _top(campaign_id, column, now - timedelta(hours=24)):
            share = count / day_total if day_total else 0.0
            result.groups.append(Group(kind, value, count, round(share, 3)))
            if count >= minimum and share >= share_limit:
                result.alarms.append(kind)
    return result


def invalidate_batch(campaign_id: int, *, reason: str, domain: str | None = None,
                     ip_hash: str | None = None, since: datetime | None = None,
                     until: datetime | None = None) -> int:
    """Invalidate pending and confirmed signatures from one domain or network in a window.

    Returns how many were invalidated; the count drops by the confirmed ones. Each row changes
    in a conditional UPDATE, so a confirmation racing with this is counted exactly once.
    """
    if not (domain or ip_hash):
        raise ValueError("a domain or a network is required")
    conditions = []
    if domain:
        conditions.append(_domain_expr() == domain.strip().lower())
    if ip_hash:
        conditions.append(Signature.ip_hash == ip_hash)
    if since:
        conditions.append(Signature.created_at >= since)
    if until:
        conditions.append(Signature.created_at < until)
    total = lifecycle.transition(
        campaign_id, to=SignatureStatus.INVALIDATED,
        from_=[SignatureStatus.CONFIRMED, SignatureStatus.PENDING],
        where=conditions, reason=reason)
    db.session.commit()
    return total

