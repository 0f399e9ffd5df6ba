"""/readyz: may a load balancer send this server requests? (/healthz only says it is alive.)

Ready means the database answers and, when REDIS_URL is set, Redis answers too: a server
that cannot reach either would only answer 503s, so the balancer should skip it.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from flask import Flask, current_app
from flask.typing import ResponseReturnValue

from ..extensions import db, limiter

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 0.5


def _redis_client(app: Flask) -> redis.Redis:
    client = cast("redis.Redis | None", app.extensions.get("readyz_redis"))
    if client is None:
        import redis
        client = redis.Redis.from_url(app.config["REDIS_URL"],
                                      socket_connect_timeout=TIMEOUT_SECONDS,
                                      socket_timeout=TIMEOUT_SECONDS)
        app.extensions["readyz_redis"] = client
    return client


def check_database() -> bool:
    try:
        db.session.execute(db.text("SELECT 1"))
        db.session.rollback()
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readyz: database unreachable: %s", type(exc).__name__)
        db.session.rollback()
        return False


def check_redis() -> bool | None:
    """True/False when Redis is configured, None when it is not."""
    if not current_app.config.get("REDIS_URL"):
        return None
    try:
        return bool(_redis_client(current_app._get_current_object()).ping())  # type: ignore[attr-defined]  # Flask's hints type the proxy as the app itself
    except Exception as exc:  # noqa: BLE001
        log.warning("readyz: redis unreachable: %s", type(exc).__name__)
        return False


def readiness() -> tuple[dict[str, object], bool]:
    checks = {"database": check_database()}
    redis_ok = check_redis()
    if redis_ok is not None:
        checks["redis"] = redis_ok
    ready = all(checks.values())
    return {"status": "ready" if ready else "unavailable",
            "checks": {name: "ok" if ok else "down" for name, ok in checks.items()}}, ready


def init_app(app: Flask) -> None:
    @app.get("/readyz")
    @limiter.exempt
    def readyz() -> ResponseReturnValue:
        body, ready = readiness()
        return body, 200 if ready else 503, {"Cache-Control": "no-store"}
