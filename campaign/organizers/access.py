"""Who may do what in the console. Every console view goes through one of these."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from ..campaigns import service as campaigns
from ..campaigns.models import Campaign
from ..extensions import db, login_manager
from .models import CampaignMember, User


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session's account, if active and the session is of its current generation
    (`User.get_id` is "id:generation"): ending all sessions is raising the generation."""
    ident, _, generation = user_id.partition(":")
    if not ident.isdigit() or not generation.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or user.session_generation != int(generation):
        return None
    return user


login_manager.login_view = "organizers.login"


def can_manage(user: User, campaign_id: int) -> bool:
    """Admins manage every campaign; organizers only those they are members of."""
    if user.is_admin:
        return True
    return db.session.scalar(select(CampaignMember).where(
        CampaignMember.campaign_id == campaign_id,
        CampaignMember.user_id == user.id)) is not None


def managed_campaigns(user: User) -> list[Campaign]:
    query = select(Campaign).order_by(Campaign.created_at.desc())
    if not user.is_admin:
        query = query.join(CampaignMember, CampaignMember.campaign_id == Campaign.id).where(
            CampaignMember.user_id == user.id)
    return list(db.session.scalars(query))


def campaign_access(view: Callable[..., ResponseReturnValue]
                    ) -> Callable[..., ResponseReturnValue]:
    """For console views taking `slug`: 404 if no such campaign, 403 if not the user's.

    The view receives the campaign as `campaign` instead of the slug.
    """
    @wraps(view)
    @login_required
    def wrapper(*args: Any, slug: str, **kwargs: Any) -> ResponseReturnValue:
        campaign = campaigns.campaign_by_slug(slug, public=False)
        if campaign is None:
            abort(404)
        if not can_manage(current_user, campaign.id):
            abort(403)
        return view(*args, campaign=campaign, **kwargs)
    return wrapper


def admin_required(view: Callable[..., ResponseReturnValue]
                   ) -> Callable[..., ResponseReturnValue]:
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper
