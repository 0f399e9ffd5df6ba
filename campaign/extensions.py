"""Extensions, created unbound and bound to the app in create_app (init_app style).

Five are subclassed only to skip per-request work whose outcome is known in advance (the
decisions are still the extension's own; tests/test_request_hooks.py holds them to that):
compression of an answer that is never compressed, the CSRF hook of a GET, the remember-me
cookie hook of a request without a session, the database session's teardown of a request
that never opened one, and the rate limiter's check of a view no limit applies to. The
database's connection check (`pool_pre_ping`) is narrowed to what it guards against, see
`SQLAlchemy._make_engine`.
"""
import time
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, g, request
from flask.globals import request_ctx
from flask_babel import Babel
from flask_compress import Compress as _Compress
from flask_limiter import Limiter as _Limiter
from flask_limiter.util import get_qualified_name
from flask_login import LoginManager as _LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy as _SQLAlchemy
from flask_wtf import CSRFProtect as _CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry

from .abuse.limits import address_key
from .sessions import session_opened

# Named constraints so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The bind (a second engine and pool, PostgreSQL only) whose connections are opened in
# autocommit and stay so: a write one statement makes alone, and /healthz, run there without
# switching a connection of the main pool in and out of autocommit (a round of driver calls
# each way, ~0.1 ms of a /healthz) or a BEGIN and COMMIT around it.
AUTOCOMMIT_BIND = "autocommit"

# A pooled connection used this recently is not checked again before its next use.
PING_AFTER_IDLE_SECONDS = 1.0
_CHECKED_IN = "campaign.checked_in"


class SQLAlchemy(_SQLAlchemy):
    def _make_engine(self, bind_key: str | None, options: dict[str, Any], app: Flask
                     ) -> Engine:
        """`pool_pre_ping` as it is meant: a server that restarted or a connection a firewall
        dropped while idle is found before a request uses it. SQLAlchemy pings on every
        checkout (a round trip per request on PostgreSQL, ~15% of a /healthz there); here a
        connection is pinged when it sat idle in the pool for PING_AFTER_IDLE_SECONDS or more.
        One in steady use is not: if it died since its last use the request fails as without
        the option, and SQLAlchemy drops the whole pool on that disconnect. SQLite has no
        server to lose: never pinged."""
        options = dict(options)
        ping = options.pop("pool_pre_ping", False)
        engine = super()._make_engine(bind_key, options, app)
        if ping and engine.dialect.name != "sqlite":
            _ping_idle_connections(engine)
        return engine

    @property
    def autocommit_engine(self) -> Engine | None:
        """The current app's autocommit engine (AUTOCOMMIT_BIND); None on SQLite."""
        return self.engines.get(AUTOCOMMIT_BIND)

    def _teardown_session(self, exc: BaseException | None) -> None:
        if self.session.registry.has():  # a request that never used the ORM has none
            super()._teardown_session(exc)


def _ping_idle_connections(engine: Engine) -> None:
    def connected(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    def checked_in(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    def checkout(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        last = record.info.get(_CHECKED_IN)
        if last is not None and time.monotonic() - last < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool drops this connection and checks out another (SQLAlchemy's documented
            # pessimistic disconnect handling).
            raise sa_exc.DisconnectionError(str(error)) from error

    event.listen(engine, "connect", connected)
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checkout)


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))

# Every model subclasses `Model`: at run time Flask-SQLAlchemy's db.Model, for the type
# checker the SQLAlchemy 2 declarative base it behaves as (db.Model is built at run time,
# so mypy cannot see its type), so `Mapped[...]` columns are checked.
if TYPE_CHECKING:
    class Model(DeclarativeBase):
        pass
else:
    Model = db.Model


class Compress(_Compress):
    def after_request(self, response: Response | None) -> Response:
        """A redirect, an error, a 304 or a body under COMPRESS_MIN_SIZE is sent as it is
        whatever the client accepts: no compression and no `Vary: Accept-Encoding`."""
        if response is not None and not response.is_streamed and (
                not 200 <= response.status_code < 300
                or (response.content_length or 0) < current_app.config["COMPRESS_MIN_SIZE"]
                or "Content-Encoding" in response.headers):
            # The last: already encoded by the view (the campaign page's spliced gzip); Vary
            # is the view's to set then, as the choice was.
            return response
        if response is not None and not request.environ.get("HTTP_ACCEPT_ENCODING", "").strip():
            # A client that accepts no encoding (wrk, curl, monitors) gets the body as it is,
            # as Flask-Compress decides after parsing the empty header; its Vary stays.
            response.vary.add("Accept-Encoding")  # werkzeug's HeaderSet: no duplicate
            return response
        return super().after_request(response)


_CSRF_PASSED = "campaign.csrf_passed"


class CSRFProtect(_CSRFProtect):
    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        # Flask-WTF's hook looks the view up for exemptions before it looks at the method;
        # a GET needs neither.
        hooks = app.before_request_funcs[None]
        check = hooks[-1]  # the hook super().init_app just registered
        assert getattr(check, "__name__", "") == "csrf_protect"

        def csrf_protect() -> Any:
            if request.method not in app.config["WTF_CSRF_METHODS"]:
                return None
            return check()

        hooks[-1] = csrf_protect

    def protect(self, apply_exemptions: bool = False) -> None:
        """The check, once per request: a request it passed is not checked again (the console
        gate after the app-wide hook). Noted in the request's environ, not in `g`, which an
        app context shared by several requests (tests) would carry over."""
        environ = request.environ
        if environ.get(_CSRF_PASSED):
            return
        # Flask-WTF returns without checking for an exempt view or an unchecked method, and
        # sets g.csrf_valid only when it checked and the token was good.
        g.pop("csrf_valid", None)
        super().protect(apply_exemptions)
        if g.get("csrf_valid"):
            environ[_CSRF_PASSED] = True


class LoginManager(_LoginManager):
    def _update_remember_cookie(self, response: Response) -> Response:
        # Flask-Login reads the session on every response to look for "_remember"; reading
        # `session` marks it accessed (Vary: Cookie), and would open the cookie of a request
        # that never used it (sessions.py). An empty or unopened session has nothing to do
        # unless every request refreshes the cookie.
        opened = session_opened(request_ctx._get_current_object())  # type: ignore[attr-defined]
        if not opened and not current_app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return response
        return super()._update_remember_cookie(response)  # type: ignore[no-any-return]


class Limiter(_Limiter):
    """Flask-Limiter's before-request check skipped for a view no limit can apply to.

    Limits here are declared on views (`@limiter.limit`); there are no default, application,
    meta or blueprint limits. For any other view Flask-Limiter resolves and evaluates an empty
    set on every request (~40 µs, a sixth of a /healthz in process). Whether a view has a
    limit is known once its decorators ran (at import): this asks Flask-Limiter's own records
    once per view, and checks every request while any app-wide limit exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._view_has_limits: dict[str, bool] = {}

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if in_middleware and callable_name is None and not self._may_limit(request.endpoint):
            return
        super()._check_request_limit(callable_name, in_middleware)

    def _may_limit(self, endpoint: str | None) -> bool:
        manager = self.limit_manager
        if (manager._application_limits or manager._default_limits or self._meta_limits
                or manager._blueprint_limits):
            return True  # an app-wide limit (this app's settings): Flask-Limiter decides
        view = current_app.view_functions.get(endpoint or "")
        if view is None:
            return True  # not routed (404, 405): Flask-Limiter's own decision
        name = get_qualified_name(view)
        known = self._view_has_limits.get(name)
        if known is None:
            known = self._view_has_limits[name] = (name in self._marked_for_limiting
                                                   or manager.has_hints(endpoint or ""))
        return known


migrate = Migrate()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
login_manager = LoginManager()
# Limits are declared where they apply; storage follows RATELIMIT_STORAGE_URI (Redis or memory).
# in_memory_fallback keeps the site taking signatures when Redis is down. The key is a keyed
# hash of the client's address (IPv6: its /64), so no storage ever holds an address.
limiter = Limiter(key_func=address_key, in_memory_fallback_enabled=True,
                  swallow_errors=True)
# gzip/brotli for pages, CSS and JSON (settings COMPRESS_*); streamed CSV exports too.
compress = Compress()
