"""Campaigns: what a campaign is, its text in each language, and its signature counter."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Campaign pages and `flask campaigns`."""
    from . import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.campaigns_cli)
