"""The one gate of the console: every request under /organize/ passes here.

It is an app-level `before_request` keyed on the path, not a decorator or a blueprint hook,
so a console page any feature adds later is guarded without anyone remembering to: logged
in, account active, session of the account's current generation, second factor done when
the account has or needs one (or only the set-up page), not idle, not older than the
absolute lifetime counted from login, and a CSRF token on every POST (even on a view some
feature exempted). tests/organizers/test_gate.py walks `app.url_map` to prove it.
"""
from __future__ import annotations

import time

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import security
from ..audit import service as audit
from ..extensions import csrf
from . import service
from .models import User

CONSOLE_PREFIX = "/organize/"
# The only console pages open without a session: logging in, its second step, password
# resets and invitations. Each checks its own pending login or link token.
OPEN_ENDPOINTS = frozenset({
    "organizers.login", "organizers.login_2fa", "organizers.request_reset",
    "organizers.reset_password", "organizers.accept_invite",
})
# Reachable by a logged-in account that must still set up two-factor.
SETUP_ENDPOINTS = frozenset({"organizers.totp_setup", "organizers.logout"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    app.before_request(guard_console)


def in_console(path: str) -> bool:
    return path.startswith(CONSOLE_PREFIX) or path == CONSOLE_PREFIX.rstrip("/")


def guard_console() -> ResponseReturnValue | None:
    if not in_console(request.path):
        return None
    if request.method not in _SAFE_METHODS:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            # Raises CSRFError (400) without a valid token; returns at once when the app-wide
            # check already passed this request (one check per request).
            csrf.protect()
        if security.form_has_nul():
            abort(400)  # no console field takes a NUL byte
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    problem = session_problem()
    if problem is not None:
        if current_user.is_authenticated or problem != "login":
            end_session()
            if problem == "idle":
                flash(_("You were logged out after a time without activity."))
            elif problem == "expired":
                flash(_("Your session has ended. Please log in again."))
        return redirect(url_for("organizers.login", next=request.path))
    session["seen"] = int(time.time())
    audit.set_actor(current_user._get_current_object())
    if needs_setup() and request.endpoint not in SETUP_ENDPOINTS:
        return redirect(url_for("organizers.totp_setup"))
    return None


def session_problem() -> str | None:
    """Why this session may not use the console, or None. A stale generation never gets here:
    the user loader refuses it, so the visitor is anonymous."""
    if not current_user.is_authenticated or not current_user.is_active:
        return "login"
    now = int(time.time())
    config = current_app.config
    login_at, seen = session.get("login_at"), session.get("seen")
    if not isinstance(login_at, int) or not isinstance(seen, int):
        return "login"
    if now - login_at > config["SESSION_LIFETIME_HOURS"] * 3600:
        return "expired"  # absolute: activity does not extend it
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60:
        return "idle"
    if current_user.totp_secret and not session.get("mfa"):
        return "login"  # a password-only session of an account that has a second factor
    return None


def needs_setup() -> bool:
    return service.needs_2fa_setup(current_user)


def begin_session(user: User, *, mfa: bool) -> None:
    """A fresh session after a full login (nothing carried over from before)."""
    user = getattr(user, "_get_current_object", lambda: user)()  # not the current_user proxy
    clear_session()
    session.permanent = True  # the cookie also expires after PERMANENT_SESSION_LIFETIME
    login_user(user)
    now = int(time.time())
    session["login_at"] = session["seen"] = now
    session["mfa"] = mfa


def end_session() -> None:
    logout_user()
    clear_session()


def clear_session() -> None:
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the token in g; the new session needs one
