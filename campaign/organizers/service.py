"""Rules for organizer accounts: passwords, lock-out, invitations, resets, two-factor."""
from __future__ import annotations

import hashlib
import io
import secrets
from datetime import UTC, datetime, timedelta
from enum import Enum

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import emails
from ..audit import service as audit
from ..extensions import db
from ..tokens import InvalidToken, make_token, read_token
from ..util import utcnow
from .models import CampaignMember, User

ROLES = ("organizer", "admin")
MIN_PASSWORD_LENGTH = 10


class AccountError(Exception):
    """A rule refused the change; str() is a message key for the view."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def _normal(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, *, role: str = "organizer", name: str = "",
                password: str | None = None) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when not given)."""
    if role not in ROLES:
        raise AccountError("role")
    password = password or secrets.token_urlsafe(12)
    user = User(email=_normal(email), name=name, role=role,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user, password


def add_member(campaign_id: int, user_id: int) -> None:
    exists = db.session.get(CampaignMember, (campaign_id, user_id))
    if exists is None:
        db.session.add(CampaignMember(campaign_id=campaign_id, user_id=user_id))


def members(campaign_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(CampaignMember, CampaignMember.user_id == User.id)
        .where(CampaignMember.campaign_id == campaign_id).order_by(User.email)))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == _normal(email)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


# --- logging in ------------------------------------------------------------------------

class LoginOutcome(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


def authenticate(email: str, password: str) -> tuple[LoginOutcome, User | None]:
    """Check a password, counting failures; a locked account refuses even the right one."""
    user = user_by_email(email)
    if user is None or not user.is_active or user.accepted_at is None and user.invited_at:
        # Hash anyway so the answer takes as long whether or not the account exists.
        check_password_hash(_DUMMY_HASH, password)
        return LoginOutcome.WRONG, None
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        check_password_hash(_DUMMY_HASH, password)
        return LoginOutcome.LOCKED, None
    if verify_password(user, password):
        user.failed_logins = 0
        user.locked_until = None
        db.session.commit()
        return LoginOutcome.OK, user
    # Atomic increment: parallel guesses cannot each read the same count.
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_logins=User.failed_logins + 1))
    db.session.refresh(user)
    config = current_app.config
    if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        audit.record(user, "account.locked", target=user.email)
        db.session.commit()
        return LoginOutcome.LOCKED, None
    db.session.commit()
    return LoginOutcome.WRONG, None


def logged_in(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record(user, "account.login", target=user.email)
    db.session.commit()


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


# --- invitations and password resets ----------------------------------------------------

def _fingerprint(user: User) -> str:
    # Binds a link to the current password: once it is used (password set), it stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _account_token(purpose: str, user: User) -> str:
    return make_token(purpose, [user.id, _fingerprint(user)])


def user_from_token(purpose: str, token: str, max_age_seconds: int) -> User | None:
    """The account a link is for; None when altered, used, expired or disabled."""
    try:
        payload = read_token(purpose, token, max_age_seconds)
        user_id, fingerprint = payload
    except (InvalidToken, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or _fingerprint(user) != fingerprint:
        return None
    return user


def invite(admin: User, email: str, *, role: str = "organizer", name: str = "",
           lang: str = "en") -> User:
    """Create an account without a usable password and e-mail the link that sets one."""
    if role not in ROLES:
        raise AccountError("role")
    if user_by_email(email) is not None:
        raise AccountError("exists")
    user, _ = create_user(email, role=role, name=name, password=secrets.token_urlsafe(32))
    user.invited_at = utcnow()
    url = emails.external_url("organizers.accept_invite", token=_account_token("invite", user))
    emails.queue_email("organizer_invite", to=user.email, lang=lang, invite_url=url,
                       inviter=admin.name or admin.email,
                       days=current_app.config["INVITE_MAX_AGE_DAYS"])
    audit.record(admin, "account.invite", target=user.email, role=role)
    db.session.commit()
    return user


def invitation_user(token: str) -> User | None:
    user = user_from_token("invite", token,
                           current_app.config["INVITE_MAX_AGE_DAYS"] * 24 * 3600)
    return user if user and user.accepted_at is None else None


def accept_invite(user: User, password: str) -> None:
    set_password(user, password)
    user.accepted_at = utcnow()
    audit.record(user, "account.accept_invite", target=user.email)
    db.session.commit()


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("short")
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None


def update_profile(user: User, *, name: str, email: str, current_password: str = "",
                   new_password: str = "") -> bool:
    """An organizer changes their own display name, e-mail and password. Changing the e-mail
    or the password needs the current password. Returns True when the password changed (the
    caller ends the session: `set_password` is the one place that ends every session)."""
    email = _normal(email)
    sensitive = email != user.email or bool(new_password)
    if sensitive and not verify_password(user, current_password or ""):
        raise AccountError("current_password")
    if email != user.email:
        other = user_by_email(email)
        if other is not None and other.id != user.id:
            raise AccountError("email_taken")
        audit.record(user, "account.email", target=email, changes=[user.email, email])
        user.email = email
    if name.strip() != user.name:
        audit.record(user, "account.name", target=user.email, changes=[user.name, name.strip()])
        user.name = name.strip()
    if new_password:
        set_password(user, new_password)
        audit.record(user, "account.change_password", target=user.email)
    db.session.commit()
    return bool(new_password)


def request_reset(email: str, lang: str = "en") -> None:
    """Queue a reset link if the account exists; the caller answers the same either way."""
    user = user_by_email(email)
    if user is None or not user.is_active:
        return
    url = emails.external_url("organizers.reset_password", token=_account_token("reset", user))
    emails.queue_email("organizer_reset", to=user.email, lang=lang, reset_url=url,
                       minutes=current_app.config["RESET_MAX_AGE_MINUTES"])
    db.session.commit()


def reset_user(token: str) -> User | None:
    return user_from_token("reset", token, current_app.config["RESET_MAX_AGE_MINUTES"] * 60)


def reset_password(user: User, password: str) -> None:
    set_password(user, password)
    if user.accepted_at is None:
        user.accepted_at = utcnow()
    audit.record(user, "account.reset_password", target=user.email)
    db.session.commit()


# --- two-factor (TOTP) --------------------------------------------------------------------

def needs_2fa_setup(user: User) -> bool:
    return user.totp_secret is None and (
        user.totp_required or current_app.config.get("REQUIRE_2FA", False))


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email,
                                               issuer_name="Korday campaign console")


def qr_svg(data: str) -> str:
    """An SVG QR code made here, so the secret never leaves the server for a QR service."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]  # drop the XML declaration for inline use


def _accept_code(user: User, secret: str, code: str) -> bool:
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC)  # aware: pyotp reads a naive time as local time
    for drift in (0, -1, 1):  # one step of clock drift either way
        step = totp.timecode(now) + drift
        at = step * totp.interval
        if secrets.compare_digest(totp.at(at), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # replayed code
            user.totp_last_step = step
            return True
    return False


def enable_totp(user: User, secret: str, code: str) -> bool:
    if not _accept_code(user, secret, code):
        return False
    user.totp_secret = secret
    audit.record(user, "account.2fa_enabled", target=user.email)
    db.session.commit()
    return True


def check_totp(user: User, code: str) -> bool:
    ok = user.totp_secret is not None and _accept_code(user, user.totp_secret, code)
    db.session.commit()
    return ok


def reset_totp(actor, user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    audit.record(actor, "account.2fa_reset", target=user.email)
    db.session.commit()


# --- what admins do to accounts --------------------------------------------------------------

def set_active(actor, user: User, active: bool) -> None:
    user.is_active = active
    audit.record(actor, "account.enable" if active else "account.disable", target=user.email)
    db.session.commit()


def set_totp_required(actor, user: User, required: bool) -> None:
    user.totp_required = required
    audit.record(actor, "account.2fa_required", target=user.email, required=required)
    db.session.commit()


def unlock(actor, user: User) -> None:
    user.locked_until = None
    user.failed_logins = 0
    audit.record(actor, "account.unlock", target=user.email)
    db.session.commit()

