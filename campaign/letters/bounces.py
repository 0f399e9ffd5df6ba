"""An institution whose address keeps bouncing is paused, and organizers are told.

The outbox counts bounces per address (`outbox.suppression`); this listener (registered by
letters' init_app) matches them to the directory and keeps institutions' addresses off the
suppression list (one 5xx is often a passing misconfiguration on their side). After
TARGET_PAUSE_AFTER_BOUNCES hard bounces the target is made inactive (so no campaign offers it
and no letter is queued for it), the audit log says why, and the admins and the organizers of
every campaign that offers it get an e-mail.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import or_, select

from .. import emails
from ..audit import service as audit
from ..extensions import db
from ..organizers.models import CampaignMember, User
from ..outbox import suppression
from ..outbox.models import MailBounce
from ..targets.bounces import targets_at
from ..targets.models import Target
from .models import CampaignTarget


def on_bounce(address: str, bounce: MailBounce) -> bool:
    """Pause the targets at `address` after enough hard bounces. True when the address is an
    institution's: the directory, not the suppression list, decides when to stop."""
    at_address = targets_at(address)
    if not bounce.hard:
        return bool(at_address)
    limit = current_app.config["TARGET_PAUSE_AFTER_BOUNCES"]
    count = suppression.hard_bounces(address)
    for target in at_address:
        if count < limit or not target.active:
            continue
        target.active = False
        audit.record(None, "target.paused_bounces", target=target.short_id, bounces=count,
                     status=bounce.status)
        for recipient in _organizers_of(target):
            emails.queue_email("target_bounced", to=recipient, lang="en",
                               target_name=target.name, bounces=count,
                               directory_url=emails.external_url("targets.index"))
    return bool(at_address)


def _organizers_of(target: Target) -> list[str]:
    members = select(CampaignMember.user_id).join(
        CampaignTarget, CampaignTarget.campaign_id == CampaignMember.campaign_id).where(
        CampaignTarget.target_id == target.id)
    return list(db.session.scalars(select(User.email).where(
        User.is_active.is_(True), or_(User.role == "admin", User.id.in_(members)))
        .order_by(User.id)))


