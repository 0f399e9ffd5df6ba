"""The embeddable petition widget: a frameable count, progress bar and sign form."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The embeddable widget, its console tab and `flask widget`."""
    from flask_babel import lazy_gettext as _l

    from ..organizers.registry import register_tab
    from . import cli, views

    app.register_blueprint(views.bp)
    register_tab(app, "widget", _l("Widget"), "widget.console", 78)
    from ..organizers.registry import copy_rows, register_copier
    from .models import WidgetSettings
    register_copier(app, "widget", lambda source, new: copy_rows(WidgetSettings, source, new))
    app.cli.add_command(cli.widget_cli)
