"""Targets: the institutions a campaign writes to, each fact with its source."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The institutions' console pages and `flask targets`."""
    from . import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.targets_cli)
