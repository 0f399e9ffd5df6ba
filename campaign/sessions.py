"""Flask's signed-cookie session, without its per-request costs that buy nothing.

Same cookie, same signature, same rules as `SecureCookieSessionInterface` (it is a subclass,
and every decision it makes is left to it); only:

- the signing serializer is built once per set of keys, not on every request (building an
  itsdangerous serializer derives nothing, but costs more than reading a small cookie);
- a request without a session cookie gets an empty session without touching the
  serializer at all (without a Cookie header, without parsing cookies either);
- an empty session nobody read or changed (a health check, an API call, a static file) ends
  without the cookie logic: Flask would neither set nor delete a cookie nor add
  `Vary: Cookie` for it either.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer


class CookieSessionInterface(SecureCookieSessionInterface):
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
