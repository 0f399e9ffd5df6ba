"""Parts of the campaign page contributed by other features.

The campaign page belongs to `campaigns`, which knows nothing of petitions, donations or
letters; each of those registers a section (a template and a function giving its context),
so dependencies keep pointing down while the page shows them all. Sections are registered
from each feature's init_app and kept on the app (app.extensions["campaign_sections"]).
A section with a negative order is shown inside the page's progress box (milestones).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from .models import Campaign


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    order: int
    context: Callable[[Campaign, str], dict[str, Any] | None]  # None: nothing to show


def register_section(app: Flask, name: str, template: str, order: int,
                     context: Callable[[Campaign, str], dict[str, Any] | None]) -> None:
    app.extensions.setdefault("campaign_sections", {})[name] = Section(
        name, template, order, context)


def sections() -> list[Section]:
    registered: dict[str, Section] = current_app.extensions.get("campaign_sections", {})
    return sorted(registered.values(), key=lambda s: s.order)


def build_sections(campaign: Campaign, lang: str, overrides: dict[str, Any] | None = None
                   ) -> list[tuple[Section, dict[str, Any]]]:
    """Each section with its context; `overrides` replaces a section's context (e.g. a form
    re-rendered with its errors)."""
    overrides = overrides or {}
    built = []
    for section in sections():
        context = overrides.get(section.name) or section.context(campaign, lang)
        if context is not None:
            built.append((section, context))
    return built
