"""Whom a campaign addresses ("To: UN Special Rapporteur on minority issues, ..."), shown on
the home page and the campaign page in the page's language. The letters feature knows the
institutions and registers the function that names them, so `campaigns` does not import it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from .models import Campaign


@dataclass(frozen=True)
class Addressee:
    name: str
    lang: str    # the language `name` is in: the page's, or English when it has no other name


def register_addressees(app: Flask,
                        provider: Callable[[Campaign, str], list[Addressee]]) -> None:
    """Called from a feature's init_app (letters); `provider(campaign, lang)` names the
    institutions in `lang`, falling back to English."""
    providers = app.extensions.setdefault("campaign_addressees", [])
    if provider not in providers:
        providers.append(provider)


def list_separator(lang: str) -> str:
    """What goes between two names in `lang` (CLDR): ", " in most languages, "、" in
    Chinese."""
    from .. import i18n

    pattern = i18n.babel_locale(i18n.interface_language(lang)).list_patterns["standard"]
    return str(pattern["middle"]).replace("{0}", "").replace("{1}", "") or ", "


def addressees(campaign: Campaign, lang: str) -> list[Addressee]:
    """The names in `lang` (each in English where no translation exists); empty when none
    are chosen."""
    found: list[Addressee] = []
    for provider in current_app.extensions.get("campaign_addressees", ()):
        found.extend(item for item in provider(campaign, lang) if item not in found)
    return found
