"""Letters: supporters write to the targets; organizers deliver the petition and log replies."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Letter pages, console tab, the campaign page's section, the writers' data for
    privacy, the delivery timeline in the API and `flask letters`."""
    from flask_babel import lazy_gettext as _l

    from ..api.registry import register_campaign_extension
    from ..campaigns.sections import register_section
    from ..organizers.registry import register_tab
    from ..privacy.service import register_data_source
    from . import cli, delivery_views, reply_views, service, views
    app.register_blueprint(views.bp)
    app.register_blueprint(delivery_views.bp)
    app.register_blueprint(reply_views.bp)
    register_tab(app, "delivery", _l("Delivery"), "delivery.start", 76)
    app.cli.add_command(cli.letters_cli)
    from ..outbox.suppression import register_bounce_listener
    from . import bounces
    register_bounce_listener(app, bounces.on_bounce)
    from ..ops.metrics import register_gauge
    register_gauge(app, "campaign_letters_held", "Letters held over an institution's daily cap.",
                   service.count_held_letters)
    register_tab(app, "letters", _l("Letters and delivery"), "letters.console", 75)
    from ..organizers.registry import copy_rows, register_copier
    from .models import CampaignTarget, LetterTemplate
    register_copier(app, "letters", lambda source, new: (
        copy_rows(LetterTemplate, source, new), copy_rows(CampaignTarget, source, new)))
    register_section(app, "letters", "letters/_section.html", 30, views.letters_section)
    register_data_source(app, "letters", service.export_letters, service.erase_letters)
    from ..privacy.service import register_campaign_purge
    register_campaign_purge(app, service.purge_campaign_letters)
    register_campaign_extension(app, "delivery", views.delivery_for_api)
    from ..targets.service import on_verified
    on_verified(app, service.release_unchecked)
    views.init_app(app)
    from ..campaigns.next_steps import register_next_step
    register_next_step(app, "letters", 10, views.write_step)
    from ..campaigns.addressees import register_addressees
    register_addressees(app, service.addressed_names)
