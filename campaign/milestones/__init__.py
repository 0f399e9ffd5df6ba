"""Milestones: steps of the count e-mailed to organizers when crossed and shown on the
campaign page's progress bar; the goal raised with a note to readers."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from ..campaigns.sections import register_section
    from ..organizers.registry import register_tab
    from ..petitions.lifecycle import register_count_listener
    from . import service, views

    register_count_listener(app, service.check_crossings, service.steps_reached)
    # A negative order puts the section inside the page's progress box (campaigns/sections).
    register_section(app, "milestones", "milestones/_progress.html", -10,
                     views.progress_section)
    views.pages.init_app(app)
    register_tab(app, "milestones", views.TAB_LABEL, "organizers.milestones_page", 55)
