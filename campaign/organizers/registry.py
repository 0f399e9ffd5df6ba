"""Places other features fill in the console without this package importing them.

- `register_tab`: a link in a campaign's console navigation (donations, letters, API keys...).
- `register_panel`: a block on a campaign's analytics page (letters sent, donations...).
- `register_settings_block`: a block on the campaign edit page (donation currencies, letter
  defaults): a template included with the campaign in its context.
Same pattern as campaigns/sections.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..campaigns.models import Campaign


@dataclass(frozen=True)
class Tab:
    name: str
    label: object        # a lazy_gettext string
    endpoint: str        # a console endpoint taking `slug`
    order: int


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    order: int
    context: Callable[[Campaign], dict | None]  # None: nothing to show


@dataclass(frozen=True)
class SettingsBlock:
    name: str
    template: str
    order: int


_TABS: dict[str, Tab] = {}
_PANELS: dict[str, Panel] = {}
_SETTINGS: dict[str, SettingsBlock] = {}


def register_tab(name: str, label, endpoint: str, order: int) -> None:
    _TABS[name] = Tab(name, label, endpoint, order)


def register_panel(name: str, template: str, order: int,
                   context: Callable[[Campaign], dict | None]) -> None:
    _PANELS[name] = Panel(name, template, order, context)


def register_settings_block(name: str, template: str, order: int) -> None:
    _SETTINGS[name] = SettingsBlock(name, template, order)


def tabs() -> list[Tab]:
    return sorted(_TABS.values(), key=lambda t: t.order)


def panels(campaign: Campaign) -> list[tuple[Panel, dict]]:
    built = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.order):
        context = panel.context(campaign)
        if context is not None:
            built.append((panel, context))
    return built


def settings_blocks() -> list[SettingsBlock]:
    return sorted(_SETTINGS.values(), key=lambda b: b.order)
