"""Bounces, complaints and the suppression list.

An address that bounced for good (an SMTP 5xx when sending, or a delivery status notification
saying "failed" with a 5.x.x status) gets nothing more; one that keeps bouncing softly for
OUTBOX_SOFT_BOUNCE_DAYS days is treated the same. An address that unsubscribed from everything
or complained (a feedback-loop report) gets no bulk mail (campaign updates) but still gets what
it asks for (a confirmation link, a receipt). Only a keyed hash of the canonical address is
stored.

Features that care about an address bouncing register a listener; the outbox knows nothing of
them. A listener that answers True manages that address itself: the institutions directory
pauses a target after several hard bounces (one 5xx from an institution's server is often a
passing misconfiguration) instead of the address being suppressed at the first.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..addresses import DOTLESS_DOMAINS, InvalidEmail, normalize_email
from ..extensions import db
from ..util import utcnow
from .models import MailBounce, MailSuppression

# (address, bounce row) -> True when the feature manages this address's bounces itself;
# called in the transaction that records the bounce.
BounceListener = Callable[[str, MailBounce], bool]


def register_bounce_listener(app: Flask, listener: BounceListener) -> None:
    """Called from a feature's init_app (the letters pause bouncing institutions)."""
    listeners = app.extensions.setdefault("bounce_listeners", [])
    if listener not in listeners:
        listeners.append(listener)


# An address of these characters alone, without a plus-tag, outside the dot-less domains:
# its canonical key is the address in lower case whether or not email-validator accepts it
# (see `address_hash`), so the validator (most of a worker's time per message) is skipped.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._-]+@([A-Za-z0-9.-]+)")


def address_hash(address: str) -> str:
    """Keyed hash of the canonical address (so `A.B+x@gmail.com` and `ab@gmail.com` match)."""
    plain = _PLAIN_ADDRESS.fullmatch(address)
    if plain and plain.group(1).lower() not in DOTLESS_DOMAINS:
        key = address.lower()
    else:
        try:
            key = normalize_email(address)[1]
        except InvalidEmail:
            key = address.strip().lower()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"mail:" + key.encode(),
                    hashlib.sha256).hexdigest()


def suppress(address: str, *, scope: str, reason: str, campaign_id: int | None = None) -> bool:
    """Put the address on the list (in the caller's transaction); False if it was on it."""
    digest = address_hash(address)
    exists = db.session.scalar(select(MailSuppression.id).where(
        MailSuppression.address_hash == digest, MailSuppression.scope == scope))
    if exists:
        return False
    try:
        with db.session.begin_nested():  # two workers may suppress the same address at once
            db.session.add(MailSuppression(address_hash=digest, scope=scope, reason=reason,
                                           campaign_id=campaign_id))
    except IntegrityError:
        return False
    return True


def suppressed_scopes(addresses: Iterable[str]) -> dict[str, set[str]]:
    """{address: scopes it is suppressed for} for those of `addresses` on the list."""
    by_hash = {address_hash(address): address for address in addresses}
    if not by_hash:
        return {}
    found: dict[str, set[str]] = {}
    for digest, scope in db.session.execute(
            select(MailSuppression.address_hash, MailSuppression.scope)
            .where(MailSuppression.address_hash.in_(list(by_hash)))):
        found.setdefault(by_hash[digest], set()).add(scope)
    return found


def is_suppressed(address: str, *, bulk: bool = False) -> bool:
    scopes = suppressed_scopes([address]).get(address, set())
    return "all" in scopes or (bulk and "bulk" in scopes)


def record_bounce(address: str, *, hard: bool, status: str, source: str,
                  campaign_id: int | None = None, kind: str | None = None,
                  complaint: bool = False) -> MailBounce:
    """Count a bounce or complaint and suppress the address when the rules say so. The caller
    commits."""
    bounce = MailBounce(address_hash=address_hash(address), campaign_id=campaign_id, kind=kind,
                        hard=hard, complaint=complaint, status=status[:20], source=source)
    db.session.add(bounce)
    db.session.flush()
    answers = [listener(address, bounce)  # every one is told
               for listener in current_app.extensions.get("bounce_listeners", ())]
    managed = any(answers)
    if complaint:
        suppress(address, scope="bulk", reason="complaint", campaign_id=campaign_id)
    elif managed:
        pass
    elif hard:
        suppress(address, scope="all", reason="hard_bounce", campaign_id=campaign_id)
    elif _soft_bouncing_for_days(bounce.address_hash):
        suppress(address, scope="all", reason="soft_bounce", campaign_id=campaign_id)
    return bounce


def _soft_bouncing_for_days(digest: str) -> bool:
    """Soft bounces (mailbox full, greylisting) are retried; an address still bouncing
    OUTBOX_SOFT_BOUNCE_DAYS after its first soft bounce is given up. Only the bounces of the
    last twice that many days count: a mailbox that was full once last spring and is full
    again today is not given up today."""
    days = timedelta(days=current_app.config["OUTBOX_SOFT_BOUNCE_DAYS"])
    now = utcnow()
    first = db.session.scalar(select(func.min(MailBounce.created_at)).where(
        MailBounce.address_hash == digest, MailBounce.hard.is_(False),
        MailBounce.complaint.is_(False), MailBounce.created_at >= now - 2 * days))
    return first is not None and now - first >= days


def hard_bounces(address: str) -> int:
    return db.session.scalar(select(func.count()).select_from(MailBounce).where(
        MailBounce.address_hash == address_hash(address), MailBounce.hard.is_(True))) or 0


def counts_for_campaign(campaign_id: int) -> dict[str, int]:
    """{"hard", "soft", "complaints", "suppressed"}: bounces and complaints about this
    campaign's mail, and addresses suppressed because of it."""
    counts = {"hard": 0, "soft": 0, "complaints": 0, "suppressed": 0}
    for hard, complaint, number in db.session.execute(
            select(MailBounce.hard, MailBounce.complaint, func.count())
            .where(MailBounce.campaign_id == campaign_id)
            .group_by(MailBounce.hard, MailBounce.complaint)):
        counts["complaints" if complaint else "hard" if hard else "soft"] += number
    counts["suppressed"] = db.session.scalar(
        select(func.count()).select_from(MailSuppression)
        .where(MailSuppression.campaign_id == campaign_id)) or 0
    return counts
