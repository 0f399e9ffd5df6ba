"""Running the site: readiness, Prometheus metrics, JSON logs and backups.

Other features report to it with one-line calls (`metrics.count(...)`); it imports no
feature at module level, so nothing depends on it but those calls.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import logs, metrics, readiness
    readiness.init_app(app)
    metrics.init_app(app)
    logs.init_app(app)
    from .cli import backup_command
    app.cli.add_command(backup_command)
