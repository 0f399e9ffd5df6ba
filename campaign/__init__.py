"""The campaign site: create_app() builds a configured Flask application."""
from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from flask import Flask, redirect, request, url_for
from flask.ctx import RequestContext
from flask.typing import ResponseReturnValue
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from . import i18n
from .config import load_config
from .extensions import (
    AUTOCOMMIT_BIND,
    compress,
    csrf,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
)
from .prepared import Prepared, own_transaction
from .sessions import LazySessionRequestContext

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

ROOT = Path(__file__).resolve().parent.parent
_HEALTHY = b'{"status":"ok"}\n'  # what jsonify({"status": "ok"}) sends
_SELECT_ONE = Prepared(text("SELECT 1"))


class CampaignFlask(Flask):
    """Flask, with `ensure_sync` answered from a cache: Flask asks it for every hook of every
    request (about twenty), and each answer is an `inspect` of the function. The hooks do not
    change between requests; a function seen for the first time is asked about as before.
    And the session cookie opened on first use (`request_context`)."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        cache: dict[Callable[..., Any], Callable[..., Any]] = self.__dict__.setdefault(
            "_sync_functions", {})
        try:
            return cache[func]
        except (KeyError, TypeError):  # TypeError: an unhashable callable
            pass
        result = super().ensure_sync(func)
        try:
            if len(cache) < 1024:
                cache[func] = result
        except TypeError:
            pass
        return result


    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        # The session cookie is read when the request first uses the session (sessions.py).
        return LazySessionRequestContext(self, environ)


class WithoutClientAddress(logging.Filter):
    """The development server (`flask run`) begins each request's log line with the client's
    address; no raw IP is kept anywhere, logs included, so it is replaced by "-"."""

    _ADDRESS = re.compile(r"^\S+(?= - - \[)")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self._ADDRESS.sub("-", record.msg, count=1)
        return True


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)  # PostgreSQL `integer`
        super().__init__(map, *args, **kwargs)


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the app; `config` overrides settings (tests), `instance_path` moves instance/."""
    app = CampaignFlask(
        __name__,
        instance_path=instance_path or os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    from .sessions import CookieSessionInterface
    app.session_interface = CookieSessionInterface()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        from .sqlite_writelock import WriteLockConnection
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}),
                                   "factory": WriteLockConnection}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    else:
        # A database server: a second pool whose connections stay in autocommit, for the
        # one-statement writes and /healthz (extensions.AUTOCOMMIT_BIND). Nothing there opens
        # a transaction, so a connection coming back has none to roll back.
        app.config["SQLALCHEMY_BINDS"] = {
            **(app.config.get("SQLALCHEMY_BINDS") or {}),
            AUTOCOMMIT_BIND: {**(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}),
                              "url": app.config["SQLALCHEMY_DATABASE_URI"],
                              "isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}}
    logging.basicConfig(level=app.config.get("LOG_LEVEL") or "INFO",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, WithoutClientAddress) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(WithoutClientAddress())

    if app.config.get("TRUSTED_PROXIES"):
        # Only the proxies we run may set the client address and scheme.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]  # Flask's documented way

    app.url_map.converters["lang"] = i18n.LanguageConverter
    # Every <int:...> id in every feature's URLs fits a database integer: a larger number is
    # no such page (404), never an overflow in the database driver (500).
    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_map.strict_slashes = False

    db.init_app(app)
    from . import models  # noqa: F401 - registers every model with the metadata
    from .petitions.search import keep_in_schema_compare
    # Batch mode: SQLite can only change a table by copying it. The search indexes are the
    # migration's alone (autogenerate must not drop them).
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, include_object=keep_in_schema_compare)
    csrf.init_app(app)
    mail.init_app(app)
    i18n.init_app(app)  # Flask-Babel with catalogs by language code, request language
    limiter.init_app(app)
    login_manager.init_app(app)
    # First of the header hooks, so it runs last and has the final word on framing.
    from . import framing
    framing.init_app(app)

    _register_features(app)  # the outbox's inline delivery hook first, as before compress
    compress.init_app(app)
    from .organizers import gate
    gate.init_app(app)  # one gate for all of /organize/, whatever feature added the page
    from . import errors, security, static_files, templating
    errors.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    static_files.init_app(app)

    @app.url_defaults
    def _push_lang(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = i18n.current_language()

    @app.get("/")
    def root() -> ResponseReturnValue:
        return redirect(url_for("campaigns.index", lang=i18n.preferred_language()))

    @app.get("/<lang:lang_code>/language")
    def choose_language(lang_code: str) -> ResponseReturnValue:
        """Remember the chosen language, then go back to where the switcher was used."""
        from .util import local_path
        target = local_path(request.args.get("next")) or url_for("campaigns.index",
                                                                 lang=lang_code)
        response = redirect(target)
        response.set_cookie(i18n.LANGUAGE_COOKIE, lang_code, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True,
                            secure=app.config["SESSION_COOKIE_SECURE"])
        return response

    @app.get("/healthz")
    @limiter.exempt
    def healthz() -> ResponseReturnValue:
        # The database answers, nothing more: one statement on a pool connection's cursor
        # (not the ORM session, not Core's execution layers: half of the database part of a
        # /healthz). On a database server from the autocommit pool: one round trip, no BEGIN
        # and ROLLBACK around the SELECT (SQLite opens no transaction for a SELECT).
        with own_transaction(autocommit=db.autocommit_engine is not None) as transaction:
            _SELECT_ONE.first({}, transaction)
        return app.response_class(_HEALTHY, mimetype="application/json")

    return app


def _features() -> list[ModuleType]:
    """Every feature, each set up by its own init_app: blueprints, console pages and tabs,
    campaign page sections, privacy data sources, API parts, CLI. The one list; nothing
    is registered by importing a module."""
    from . import (
        api,
        bench,
        campaigns,
        donations,
        letters,
        milestones,
        ops,
        organization,
        organizers,
        outbox,
        petitions,
        privacy,
        sources,
        targets,
        widget,
    )
    return [outbox, campaigns, petitions, organizers, organization, donations, letters,
            targets, api, widget, privacy, bench, ops, milestones, sources]


def _register_features(app: Flask) -> None:
    for feature in _features():
        feature.init_app(app)
    # App-level commands: they compose features rather than belong to one.
    from .cli import config_table_command, setup_command
    from .demo import demo_cli
    app.cli.add_command(setup_command)
    app.cli.add_command(config_table_command)
    app.cli.add_command(demo_cli)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: DBAPIConnection,
                    connection_record: ConnectionPoolEntry) -> None:
    """WAL lets readers go on while a signature is written; busy_timeout queues writers."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
