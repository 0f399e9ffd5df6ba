"""Donations for legal aid: Stripe Checkout (webhooks are the source of truth) and offline gifts."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Donate pages, webhook, console tab, the campaign page's section, the donors' data
    for privacy, the API's donations and `flask donations`."""
    from flask_babel import lazy_gettext as _l

    from ..api.registry import register_donations_provider
    from ..campaigns.sections import register_section
    from ..organizers.registry import register_tab
    from ..privacy.service import register_data_source
    from . import cli, service, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.donations_cli)
    register_tab(app, "donations", _l("Donations"), "donations.console", 70)
    register_section(app, "donations", "donations/_section.html", 20,
                     views.donations_section)
    register_data_source(app, "donations", service.export_donations,
                         service.erase_donations)
    register_donations_provider(app, service.osdi_donations)
    from ..campaigns.next_steps import register_next_step
    register_next_step(app, "donate", 20, views.give_step)
    from ..organizers.registry import copy_rows, register_copier
    from .models import DonationSettings
    register_copier(app, "donations", lambda source, new: copy_rows(DonationSettings, source, new))
