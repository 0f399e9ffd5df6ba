"""Error pages: styled, translated, and never a stack trace. Nothing a client sends is a 500."""
from __future__ import annotations

import logging
import math
import time
from datetime import timedelta
from typing import Any, cast

from flask import Flask, render_template, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db, limiter

log = logging.getLogger(__name__)


def _render(code: int, reason: str | None = None, headers: dict[str, str] | None = None,
            **context: Any) -> ResponseReturnValue:
    if request_ctx.url_adapter is None:
        # The request was refused before routing (a Host not in ALLOWED_HOSTS): no page can
        # build links, so a plain answer.
        return f"{code}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    wants_json = request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")
    if wants_json:
        return {"error": {"status": code, "reason": reason}}, code, headers or {}
    return (render_template("errors/error.html", code=code, reason=reason, **context), code,
            headers or {})


def retry_after_seconds(error: HTTPException, headers: dict[str, str]) -> int | None:
    """How long a rate-limited client must wait: our limits say it in Retry-After; for
    Flask-Limiter's, the window's reset time of the limit that was hit."""
    for name, value in headers.items():
        if name.lower() == "retry-after" and str(value).isdigit():
            return int(value)
    if isinstance(error, RateLimitExceeded):
        current = limiter.current_limit
        if current is not None and current.reset_at:
            return max(1, math.ceil(current.reset_at - time.time()))
        return error.limit.limit.get_expiry()
    return None


def waiting_time(seconds: int) -> str:
    """"3 minutes", "3 минуты", "3分钟": rounded up, in the page's language."""
    if seconds < 60:
        return cast(str, format_timedelta(timedelta(seconds=seconds), granularity="second",
                                          threshold=60))
    minutes = math.ceil(seconds / 60)
    return cast(str, format_timedelta(timedelta(minutes=minutes), granularity="minute",
                                      threshold=60))


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return _render(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        headers = {k: v for k, v in error.get_headers() if k.lower() in
                   ("retry-after", "allow")}
        if error.code == 429:
            seconds = retry_after_seconds(error, headers)
            if seconds is not None:
                headers["Retry-After"] = str(seconds)
                return _render(429, getattr(error, "description_key", None), headers,
                               wait=waiting_time(seconds))
        return _render(error.code, getattr(error, "description_key", None), headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: OperationalError | InterfaceError) -> ResponseReturnValue:
        # The database went away (restart, failover): a 503 the client may retry, not a 500.
        log.warning("database error: %s", error.__class__.__name__)
        db.session.rollback()
        return _render(ServiceUnavailable.code, "database", {"Retry-After": "5"})

    @app.errorhandler(DataError)
    def data_refused(error: DataError) -> ResponseReturnValue:
        # The database refused a value a client sent (a NUL byte, a number out of range):
        # bad input, not a server fault. Views validate first; this is the net below them.
        log.warning("database refused a value: %s", error.__class__.__name__)
        db.session.rollback()
        return _render(400)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
        db.session.rollback()
        return _render(InternalServerError.code)
