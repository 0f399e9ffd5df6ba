"""Sources and partners: where signatures come from (web, a partner's widget, an API key,
paper, a campaign link's tag), the partners credited, their signers' opt-ins, and the
analytics by source, partner, country (a world map) and language."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from ..api.registry import register_partner_resolver
    from ..campaigns.sections import register_section
    from ..organizers.registry import register_panel, register_tab
    from . import service, views

    views.pages.init_app(app)
    register_tab(app, "partners", views.TAB_LABEL, "organizers.partners_page", 45)
    register_panel(app, "sources", "sources/panel.html", 20, views.analytics_panel)
    register_section(app, "map", "sources/_public_map.html", 60, views.public_map_section)
    register_partner_resolver(app, service.partner_id_for_key)
    from ..petitions.sources import register_ref_partner_resolver
    register_ref_partner_resolver(app, service.partner_for_ref)
