"""Rules for organizer accounts: passwords, lock-out, invitations, resets, two-factor."""
from __future__ import annotations

import base64
import hashlib
import io
import secrets
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, cast

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app
from sqlalchemy import CursorResult, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import emails
from ..audit import service as audit
from ..extensions import db
from ..tokens import InvalidToken, make_token, read_token
from ..util import utcnow
from .models import CampaignMember, RecoveryCode, User

ROLES = ("organizer", "admin")
MIN_PASSWORD_LENGTH = 10
RECOVERY_CODE_COUNT = 10
# A browser that completed a login keeps a signed "known device" cookie this long; an
# account locked by someone else's guessing still lets that browser in (see authenticate).
DEVICE_MAX_AGE_DAYS = 180


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


def authenticate(email: str, password: str,
                 device_token: str | None = None) -> tuple[LoginOutcome, User | None]:
    """Check a password, counting failures per account (whatever the source address).

    A locked account refuses even the right password, except from a browser that logged in
    to it before (`device_token`, see `device_token_for`): a stranger who guesses can pause
    new browsers, never lock the owner out. The view answers WRONG and LOCKED alike, so the
    lock does not tell whether an account exists.
    """
    user = user_by_email(email)
    if user is None or not user.is_active or (user.accepted_at is None and user.invited_at):
        # Hash anyway so the answer takes as long whether or not the account exists.
        check_password_hash(_DUMMY_HASH, password)
        return LoginOutcome.WRONG, None
    now = utcnow()
    if user.locked_until and user.locked_until > now and not known_device(user, device_token):
        check_password_hash(_DUMMY_HASH, password)
        audit.record(user, "account.login_refused_locked", target=user.email)
        db.session.commit()
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
    audit.record(user, "account.login_failed", target=user.email)
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


def device_token_for(user: User) -> str:
    """The signed "known device" cookie value for a browser that completed a login."""
    return make_token("device", [user.id])


def known_device(user: User, token: str | None) -> bool:
    if not token:
        return False
    try:
        payload = read_token("device", token, DEVICE_MAX_AGE_DAYS * 24 * 3600)
    except InvalidToken:
        return False
    return bool(payload == [user.id])


def end_all_sessions(user: User) -> None:
    """Every session of the account ends at its next request (the caller commits).

    An atomic increment, so two changes at once cannot both write the same number.
    """
    user.session_generation = User.session_generation + 1  # SQL: generation + 1
    db.session.flush()


def log_out_everywhere(user: User) -> None:
    end_all_sessions(user)
    audit.record(user, "account.logout_everywhere", target=user.email)
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
    # Whoever calls this (invitation, reset, the profile page): old sessions end.
    end_all_sessions(user)


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
    # Proving the mailbox also lifts a second-factor lock (not the second factor itself).
    user.totp_locked_until = None
    user.failed_2fa = 0
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


def pending_totp_secret(user: User) -> str:
    """The secret being set up: the same across reloads until a code confirms it."""
    if not user.totp_pending_secret:
        user.totp_pending_secret = new_totp_secret()
        db.session.commit()
    return user.totp_pending_secret


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


def enable_totp(user: User, code: str) -> list[str] | None:
    """Confirm the pending secret with a code; the new recovery codes, or None if wrong.

    Every other session ends (the caller starts a fresh one for this browser).
    """
    secret = user.totp_pending_secret
    if not secret or not _accept_code(user, secret, code):
        db.session.commit()
        return None
    replaced = user.totp_secret is not None
    user.totp_secret = secret
    user.totp_pending_secret = None
    codes = _new_recovery_codes(user)
    end_all_sessions(user)
    audit.record(user, "account.2fa_replaced" if replaced else "account.2fa_enabled",
                 target=user.email)
    db.session.commit()
    return codes


class SecondFactor(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


def check_second_factor(user: User, code: str) -> SecondFactor:
    """A TOTP code or an unused recovery code, counted per account: after
    LOGIN_MAX_FAILURES wrong codes in a row (from any address) the account's second step is
    locked for LOGIN_LOCK_MINUTES. Only someone who has the password gets this far."""
    now = utcnow()
    if user.totp_locked_until and user.totp_locked_until > now:
        return SecondFactor.LOCKED
    ok = user.totp_secret is not None and (
        _accept_code(user, user.totp_secret, code) or _use_recovery_code(user, code))
    if ok:
        user.failed_2fa = 0
        db.session.commit()
        return SecondFactor.OK
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_2fa=User.failed_2fa + 1))
    db.session.refresh(user)
    audit.record(user, "account.2fa_failed", target=user.email)
    config = current_app.config
    if user.failed_2fa >= config["LOGIN_MAX_FAILURES"]:
        user.failed_2fa = 0
        user.totp_locked_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
        audit.record(user, "account.2fa_locked", target=user.email)
        db.session.commit()
        return SecondFactor.LOCKED
    db.session.commit()
    return SecondFactor.WRONG


def check_totp(user: User, code: str) -> bool:
    return check_second_factor(user, code) is SecondFactor.OK


def _recovery_hash(code: str) -> str:
    # 80 random bits per code: a fast hash is enough (nothing to guess offline).
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Ten fresh single-use codes; the old ones stop working. Shown once, stored hashed."""
    db.session.query(RecoveryCode).filter(RecoveryCode.user_id == user.id).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(10)).decode()  # 16 characters, 80 bits
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
    return codes


def new_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.record(user, "account.2fa_recovery_codes", target=user.email)
    db.session.commit()
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.query(RecoveryCode).filter(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)).count()


def _use_recovery_code(user: User, code: str) -> bool:
    digest = _recovery_hash(code or "")
    if len(digest) != 64 or len("".join(ch for ch in (code or "") if ch.isalnum())) != 16:
        return False
    # A conditional UPDATE: two requests with the same code cannot both use it.
    used = cast("CursorResult[Any]", db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == digest,
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()))).rowcount
    if used:
        audit.record(user, "account.2fa_recovery_code_used", target=user.email)
    return bool(used)


def reset_totp(actor: User | None, user: User) -> None:
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    user.failed_2fa = 0
    user.totp_locked_until = None
    db.session.query(RecoveryCode).filter(RecoveryCode.user_id == user.id).delete()
    end_all_sessions(user)
    audit.record(actor, "account.2fa_reset", target=user.email)
    db.session.commit()


# --- what admins do to accounts --------------------------------------------------------------

def set_active(actor: User | None, user: User, active: bool) -> None:
    user.is_active = active
    if not active:
        end_all_sessions(user)
    audit.record(actor, "account.enable" if active else "account.disable", target=user.email)
    db.session.commit()


def set_totp_required(actor: User | None, user: User, required: bool) -> None:
    user.totp_required = required
    audit.record(actor, "account.2fa_required", target=user.email, required=required)
    db.session.commit()


def unlock(actor: User | None, user: User) -> None:
    user.locked_until = None
    user.failed_logins = 0
    user.totp_locked_until = None
    user.failed_2fa = 0
    audit.record(actor, "account.unlock", target=user.email)
    db.session.commit()

