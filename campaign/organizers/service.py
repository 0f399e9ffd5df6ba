"""Rules for organizer accounts."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .models import CampaignMember, User


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def create_user(email: str, *, role: str = "organizer", name: str = "",
                password: str | None = None) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when not given)."""
    password = password or secrets.token_urlsafe(12)
    user = User(email=email.strip().lower(), name=name, role=role,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user, password


def add_member(campaign_id: int, user_id: int) -> None:
    db.session.add(CampaignMember(campaign_id=campaign_id, user_id=user_id))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    user = user_by_email(email)
    if user is None or not user.is_active:
        # Hash anyway so the answer takes as long whether or not the account exists.
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if verify_password(user, password) else None


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")
