"""The campaign site: create_app() builds a configured Flask application."""
from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from flask import Flask, redirect, request, url_for
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from . import i18n
from .config import load_config
from .extensions import compress, csrf, db, limiter, login_manager, mail, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the app; `config` overrides settings (tests), `instance_path` moves instance/."""
    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        from .sqlite_writelock import WriteLockConnection
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}),
                                   "factory": WriteLockConnection}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    logging.basicConfig(level=app.config.get("LOG_LEVEL") or "INFO",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if app.config.get("TRUSTED_PROXIES"):
        # Only the proxies we run may set the client address and scheme.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    app.url_map.converters["lang"] = i18n.LanguageConverter
    app.url_map.strict_slashes = False

    db.init_app(app)
    from . import models  # noqa: F401 - registers every model with the metadata
    # Batch mode: SQLite can only change a table by copying it.
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    i18n.init_app(app)  # Flask-Babel with catalogs by language code, request language
    limiter.init_app(app)
    login_manager.init_app(app)
    # First of the header hooks, so it runs last and has the final word on framing.
    from . import framing
    framing.init_app(app)

    from .outbox.service import deliver_inline_after_request
    app.after_request(deliver_inline_after_request)
    compress.init_app(app)

    _register_blueprints(app)
    _register_cli(app)
    from . import errors, security, static_files, templating
    errors.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    static_files.init_app(app)

    @app.url_defaults
    def _push_lang(endpoint, values):
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = i18n.current_language()

    @app.get("/")
    def root():
        return redirect(url_for("campaigns.index", lang=i18n.preferred_language()))

    @app.get("/<lang:lang_code>/language")
    def choose_language(lang_code):
        """Remember the chosen language, then go back to where the switcher was used."""
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("campaigns.index", lang=lang_code)
        response = redirect(target)
        response.set_cookie(i18n.LANGUAGE_COOKIE, lang_code, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True,
                            secure=app.config["SESSION_COOKIE_SECURE"])
        return response

    @app.get("/healthz")
    @limiter.exempt
    def healthz():
        db.session.execute(db.text("SELECT 1"))
        return {"status": "ok"}

    return app


def _register_blueprints(app: Flask) -> None:
    from .abuse.views import bp as abuse_bp
    from .api.console import bp as api_keys_bp
    from .api.views import bp as api_bp
    from .api.views import open_data_bp
    from .campaigns.console import bp as campaign_page_bp
    from .campaigns.views import bp as campaigns_bp
    from .donations.views import bp as donations_bp
    from .letters.views import bp as letters_bp
    from .organizers.views import bp as organizers_bp
    from .petitions.views import bp as petitions_bp
    from .privacy.views import bp as privacy_bp
    from .targets.views import bp as targets_bp
    from .widget.views import bp as widget_bp

    app.register_blueprint(campaigns_bp)
    app.register_blueprint(campaign_page_bp)
    app.register_blueprint(petitions_bp)
    app.register_blueprint(organizers_bp)
    app.register_blueprint(donations_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(targets_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(open_data_bp)
    app.register_blueprint(api_keys_bp)
    app.register_blueprint(widget_bp)
    app.register_blueprint(abuse_bp)
    app.register_blueprint(privacy_bp)


def _register_cli(app: Flask) -> None:
    from .api.cli import api_cli
    from .bench.cli import bench_cli
    from .campaigns.cli import campaigns_cli, demo_cli
    from .cli import config_table_command, setup_command
    from .donations.cli import donations_cli
    from .letters.cli import letters_cli
    from .organizers.cli import users_cli
    from .outbox.cli import outbox_cli
    from .petitions.cli import petitions_cli
    from .privacy.cli import privacy_cli
    from .targets.cli import targets_cli
    from .widget.cli import widget_cli

    app.cli.add_command(campaigns_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(setup_command)
    app.cli.add_command(config_table_command)
    app.cli.add_command(donations_cli)
    app.cli.add_command(targets_cli)
    app.cli.add_command(letters_cli)
    app.cli.add_command(api_cli)
    app.cli.add_command(widget_cli)
    app.cli.add_command(bench_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(petitions_cli)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets readers go on while a signature is written; busy_timeout queues writers."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
