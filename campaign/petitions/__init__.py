"""Petitions: signing, confirming by e-mail, unsubscribing and removing a signature."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Sign, confirm, unsubscribe and forget pages, the campaign page's sign form, and the
    console pages of signatures, sign form fields, comment moderation, paper, analytics,
    updates and safety (velocity alarms)."""
    from ..campaigns.cli import campaigns_cli
    from ..campaigns.sections import register_section
    from ..organizers import registry
    from . import cli, views
    from .console import fields_views, safety_views
    from .console import views as console

    app.register_blueprint(views.bp)
    # E-mails to signers are built when the worker sends them, not in the request.
    from ..outbox.rendering import register_renderer
    from .service import SIGNER_MAIL_KINDS
    from .signer_mail import render_signer_emails
    register_renderer(app, SIGNER_MAIL_KINDS, render_signer_emails)
    # SQLite: new signatures join the console's search index between the worker's batches,
    # a bounded chunk at a time, rather than in the sign's transaction (search.py).
    from ..outbox.service import register_worker_chore
    from .search import catch_up_index
    register_worker_chore(app, catch_up_index)
    register_section(app, "petition", "petitions/_section.html", 10,
                     views.petition_section)
    console.pages.init_app(app)
    safety_views.pages.init_app(app)
    console.register_tabs(app)
    fields_views.pages.init_app(app)
    registry.register_tab(app, "fields", _l("Sign form fields"), "organizers.fields", 35)
    registry.register_tab(app, "comments", _l("Comments"), "organizers.comments", 36)
    # Cached campaign pages get each reader's own bot-trap start token.
    from ..abuse.bots import STARTED_PLACEHOLDER, started_token
    from ..campaigns.page_cache import register_reader_value
    register_reader_value(app, STARTED_PLACEHOLDER, started_token)
    # A visit through a partner's campaign link gets its own cached page (the opt-in box).
    from ..campaigns.page_cache import register_page_variant
    register_page_variant(app, views.page_variant)
    # The campaign's analytics page shows what became of its mail (the outbox knows no
    # campaign console, so petitions, which owns that page, shows it).
    from ..organizers.registry import register_panel
    from ..outbox import suppression
    register_panel(app, "mail", "mail/panel.html", 90,
                   lambda campaign: {"counts": suppression.counts_for_campaign(campaign.id)})
    campaigns_cli.add_command(cli.recount_command)  # `flask campaigns recount`
    campaigns_cli.add_command(cli.wipe_delivery_fields_command)
    app.cli.add_command(cli.petitions_cli)  # `flask petitions remind`, `send-scheduled`
