"""Organizers: accounts and their membership in campaigns (the console grows here)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The console shell: log-in, accounts, sessions, the campaign pages every campaign has
    (overview, settings, texts, history) and `flask users`."""
    from . import campaign_views, cli, exports, page_settings, views

    app.register_blueprint(views.bp)
    page_settings.init_app(app)
    campaign_views.pages.init_app(app)
    campaign_views.register_tabs(app)
    app.cli.add_command(cli.users_cli)
    exports.init_app(app)
