"""Abuse resistance: rate limits, bot traps, disposable addresses, velocity alarms, invalidation.

Reusable by any feature that takes input from the public (signing, letters, ...).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The Safety console page (velocity alarms, batch invalidation)."""
    from flask_babel import lazy_gettext as _l

    from ..organizers.registry import register_tab
    from . import views

    app.register_blueprint(views.bp)
    register_tab(app, "safety", _l("Safety"), "abuse.safety", 80)
