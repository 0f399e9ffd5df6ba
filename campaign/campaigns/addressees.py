"""Whom a campaign addresses ("To: UN Special Rapporteur on minority issues, ..."), shown on
the home page and the campaign page. The letters feature knows the institutions and
registers the function that names them, so `campaigns` does not import it."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from .models import Campaign


def register_addressees(app: Flask, provider: Callable[[Campaign], list[str]]) -> None:
    """Called from a feature's init_app (letters)."""
    providers = app.extensions.setdefault("campaign_addressees", [])
    if provider not in providers:
        providers.append(provider)


def addressees(campaign: Campaign) -> list[str]:
    """The names, in the institutions' own (English) form; empty when none are chosen."""
    names: list[str] = []
    for provider in current_app.extensions.get("campaign_addressees", ()):
        names.extend(name for name in provider(campaign) if name not in names)
    return names
