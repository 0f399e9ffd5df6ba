"""The campaigning organization: who signs the deliveries, whom supporters can contact."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public About page, the logo, the admins' console page and the footer's profile."""
    from . import views

    app.register_blueprint(views.bp)
