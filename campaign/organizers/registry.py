"""The console shell's registries, kept on the app (app.extensions["console"]).

Features add to the console without this package importing them, each from its own
`init_app` (the list in campaign/__init__.py):

- `register_tab(app, ...)`: a link in a campaign's console navigation.
- `register_panel(app, ...)`: a block on a campaign's analytics page.
- `register_settings_block(app, ...)`: a block on the campaign edit page, a template
  included with the campaign in its context.
- `register_copier(app, ...)`: what a feature copies when a campaign is started from another
  (`copy_rows` copies a table's rows of one campaign to the other).
Nothing is registered by importing a module, so what a console shows depends only on which
features the factory set up.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import inspect, select

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
    context: Callable[[Campaign], dict[str, Any] | None]  # None: nothing to show


@dataclass(frozen=True)
class SettingsBlock:
    name: str
    template: str
    order: int


@dataclass
class ConsoleRegistry:
    tabs: dict[str, Tab] = field(default_factory=dict)
    panels: dict[str, Panel] = field(default_factory=dict)
    settings: dict[str, SettingsBlock] = field(default_factory=dict)
    copiers: dict[str, Callable[[Campaign, Campaign], object]] = field(default_factory=dict)


def _registry(app: Flask | None = None) -> ConsoleRegistry:
    target = app if app is not None else current_app
    registry: ConsoleRegistry = target.extensions.setdefault("console", ConsoleRegistry())
    return registry


def register_tab(app: Flask, name: str, label: object, endpoint: str, order: int) -> None:
    _registry(app).tabs[name] = Tab(name, label, endpoint, order)


def register_panel(app: Flask, name: str, template: str, order: int,
                   context: Callable[[Campaign], dict[str, Any] | None]) -> None:
    _registry(app).panels[name] = Panel(name, template, order, context)


def register_settings_block(app: Flask, name: str, template: str, order: int) -> None:
    _registry(app).settings[name] = SettingsBlock(name, template, order)


def tabs() -> list[Tab]:
    return sorted(_registry().tabs.values(), key=lambda t: t.order)


def panels(campaign: Campaign) -> list[tuple[Panel, dict[str, Any]]]:
    built = []
    for panel in sorted(_registry().panels.values(), key=lambda p: p.order):
        context = panel.context(campaign)
        if context is not None:
            built.append((panel, context))
    return built


def settings_blocks() -> list[SettingsBlock]:
    return sorted(_registry().settings.values(), key=lambda b: b.order)


def register_copier(app: Flask, name: str, copy: Callable[[Campaign, Campaign], object]) -> None:
    """`copy(source, new)` runs in the transaction that creates `new` from `source`."""
    _registry(app).copiers[name] = copy


def copiers() -> dict[str, Callable[[Campaign, Campaign], object]]:
    return dict(_registry().copiers)


def copy_rows(model: type[Any], source: Campaign, new: Campaign) -> int:
    """Copy `model`'s rows of `source` to `new`: every column but an own id, with campaign_id
    pointing at `new`. For settings and templates, never for people's data."""
    from ..extensions import db

    keys = [attr.key for attr in inspect(model).column_attrs
            if not (attr.key == "id" and attr.columns[0].primary_key)]
    count = 0
    for row in db.session.scalars(select(model).where(model.campaign_id == source.id)):
        values = {key: getattr(row, key) for key in keys}
        values["campaign_id"] = new.id
        db.session.add(model(**values))
        count += 1
    return count
