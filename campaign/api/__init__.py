"""The JSON API under /api/v1: open campaign data, and an OSDI-shaped organizer API."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The JSON API, the open data files, the API keys console and `flask api`."""
    from . import cli, console, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.open_data_bp)
    app.register_blueprint(console.bp)
    app.cli.add_command(cli.api_cli)
