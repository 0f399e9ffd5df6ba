"""Error pages: styled, translated, and never a stack trace. Nothing a client sends is a 500."""
from __future__ import annotations

import logging

from flask import render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db

log = logging.getLogger(__name__)


def _render(code: int, reason: str | None = None, headers=None):
    if request_ctx.url_adapter is None:
        # The request was refused before routing (a Host not in ALLOWED_HOSTS): no page can
        # build links, so a plain answer.
        return f"{code}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    wants_json = request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")
    if wants_json:
        return {"error": {"status": code, "reason": reason}}, code, headers or {}
    return render_template("errors/error.html", code=code, reason=reason), code, headers or {}


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        headers = {k: v for k, v in error.get_headers() if k.lower() in
                   ("retry-after", "allow")}
        return _render(error.code, getattr(error, "description_key", None), headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # The database went away (restart, failover): a 503 the client may retry, not a 500.
        log.warning("database error: %s", error.__class__.__name__)
        db.session.rollback()
        return _render(ServiceUnavailable.code, "database", {"Retry-After": "5"})

    @app.errorhandler(DataError)
    def data_refused(error):
        # The database refused a value a client sent (a NUL byte, a number out of range):
        # bad input, not a server fault. Views validate first; this is the net below them.
        log.warning("database refused a value: %s", error.__class__.__name__)
        db.session.rollback()
        return _render(400)

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _render(InternalServerError.code)
