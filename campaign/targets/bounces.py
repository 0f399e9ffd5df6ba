"""Bounces counted per institution of the directory (the outbox counts them per address).

The directory page shows each target's bounce count and which were paused for bouncing;
pausing itself is the letters' bounce listener (campaign/letters/bounces.py), which knows
which campaigns offer a target.
"""
from __future__ import annotations

from typing import cast

from sqlalchemy import func, select

from ..extensions import db
from ..outbox import suppression
from ..outbox.models import MailBounce
from .models import Target


def targets_at(address: str) -> list[Target]:
    digest = suppression.address_hash(address)
    return [target for target in db.session.scalars(
        select(Target).where(Target.email.is_not(None)))
        if suppression.address_hash(cast(str, target.email)) == digest]  # not NULL: the query


def counts_by_target(targets: list[Target]) -> dict[int, int]:
    """{target id: hard bounces of its address} for targets that bounced."""
    hashes = {suppression.address_hash(t.email): t.id for t in targets if t.email}
    if not hashes:
        return {}
    rows = db.session.execute(
        select(MailBounce.address_hash, func.count()).where(
            MailBounce.address_hash.in_(list(hashes)), MailBounce.hard.is_(True))
        .group_by(MailBounce.address_hash))
    return {hashes[digest]: count for digest, count in rows}

