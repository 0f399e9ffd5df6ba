"""Whom a campaign addresses ("To: UN Special Rapporteur on minority issues, ..."), shown on
the home page and the campaign page. The letters feature knows the institutions and
registers the function that names them, so `campaigns` does not import it."""
from __future__ import annotations

from collections.abc import Callable

from .models import Campaign

_PROVIDERS: list[Callable[[Campaign], list[str]]] = []


def register_addressees(provider: Callable[[Campaign], list[str]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def addressees(campaign: Campaign) -> list[str]:
    """The names, in the institutions' own (English) form; empty when none are chosen."""
    names: list[str] = []
    for provider in _PROVIDERS:
        names.extend(name for name in provider(campaign) if name not in names)
    return names
