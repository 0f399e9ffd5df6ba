"""Privacy: a signer's copy of their data, its deletion, and anonymisation after delivery."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The privacy page, the signatures as a data source, console tab, `flask privacy`."""
    from flask_babel import lazy_gettext as _l

    from ..organizers.registry import register_tab
    from . import cli, service, views

    app.register_blueprint(views.bp)
    service.init_app(app)
    register_tab(app, "privacy", _l("Signers' data"), "privacy.retention", 85)
    app.cli.add_command(cli.privacy_cli)
