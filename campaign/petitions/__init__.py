"""Petitions: signing, confirming by e-mail, unsubscribing and removing a signature."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Sign, confirm, unsubscribe and forget pages, the campaign page's sign form, and the
    console pages of signatures, paper, analytics and updates."""
    from ..campaigns.sections import register_section
    from . import views
    from .console import views as console

    app.register_blueprint(views.bp)
    register_section(app, "petition", "petitions/_section.html", 10,
                     views.petition_section)
    console.pages.init_app(app)
    console.register_tabs(app)
