"""Flask's signed-cookie session, without its per-request costs that buy nothing.

Same cookie, same signature, same rules as `SecureCookieSessionInterface` (it is a subclass,
and every decision it makes is left to it); only:

- the signing serializer is built once per set of keys, not on every request (building an
  itsdangerous serializer derives nothing, but costs more than reading a small cookie), and
  its HMAC-SHA1 runs in hashlib's C code rather than Python's HMAC fallback;
- a request without a session cookie gets an empty session without touching the
  serializer at all (without a Cookie header, without parsing cookies either);
- an empty session nobody read or changed (a health check, an API call, a static file) ends
  without the cookie logic: Flask would neither set nor delete a cookie nor add
  `Vary: Cookie` for it either;
- the cookie is read (its signature checked, its JSON parsed) when the request first uses
  the session, not when the request starts (`LazySessionRequestContext`): a request that
  never touches it (a confirmation link, the thanks page, a static file or /healthz from a
  browser that has a session) pays nothing for it and gets no `Set-Cookie` or
  `Vary: Cookie`. One difference from Flask: such a request does not refresh a permanent
  session's cookie (SESSION_REFRESH_EACH_REQUEST); the only permanent sessions are the
  organizers', which every console request touches (the gate's idle clock), and their
  lifetime is the gate's `login_at`, not the cookie's.
"""
from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, Request, Response
from flask.ctx import RequestContext
from flask.sessions import (
    NullSession,
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionMixin,
)
from itsdangerous import URLSafeTimedSerializer


class CookieSessionInterface(SecureCookieSessionInterface):
    # HMAC-SHA1 as Flask's (the same signature), with hashlib's function itself: Flask's
    # lazy wrapper of it sends every HMAC through Python's slow pure-Python path (~45 µs
    # a cookie read).
    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        # Keyed on the keys themselves: a test (or a key rotation) that changes SECRET_KEY or
        # its fallbacks gets a serializer for the new keys.
        key = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            assert serializer is not None
            if len(self._serializers) > 16:  # keys changed many times (tests): start over
                self._serializers.clear()
            self._serializers[key] = serializer
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # No Cookie header at all (a new visitor, a health check, an API client): nothing to
        # parse, not even the empty cookie jar.
        if app.secret_key and ("HTTP_COOKIE" not in request.environ
                               or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.accessed and not session.modified:
            return  # what Flask does for it too, minus reading seven cookie settings
        super().save_session(app, session, response)


class UnopenedSession(NullSession):
    """Stands in the request context for a session not read yet. A NullSession, so Flask's
    `process_response` sees nothing to save (it reads `ctx._session`, not the property) and
    anything that tried to write to it would fail loudly rather than be lost."""


class LazySessionRequestContext(RequestContext):
    """Flask's request context with the session opened on first use (module docstring)."""

    def push(self) -> None:
        if self._session is None:
            # Not None, so Flask's push leaves it alone; replaced on first use below.
            self._session = UnopenedSession()
        super().push()

    def _opened(self) -> SessionMixin:
        if isinstance(self._session, UnopenedSession):
            interface = self.app.session_interface
            opened = interface.open_session(self.app, self.request)
            self._session = opened if opened is not None else interface.make_null_session(
                self.app)
        assert self._session is not None
        return self._session

    @property
    def session(self) -> SessionMixin:
        """As Flask's: the session (opened now if this is its first use), marked accessed."""
        session = self._opened()
        session.accessed = True
        return session

    def copy(self) -> RequestContext:
        # A copy (copy_current_request_context) shares the session object, as in Flask.
        self._opened()
        return super().copy()


def session_opened(ctx: RequestContext) -> SessionMixin | None:
    """The request's session if something opened it, without opening it or marking it read."""
    session = getattr(ctx, "_session", None)
    return None if session is None or isinstance(session, UnopenedSession) else session
