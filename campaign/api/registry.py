"""Extension points of the API for features that sit beside it (letters, donations).

The API must not import those features, so they register here from their init_app; the
registrations live on the app (app.extensions["api"]), never in module state filled by an
import:

- `register_campaign_extension(app, "delivery", fn)`: `fn(campaign) -> dict | list | None`
  adds a key to `GET /api/v1/campaigns/<slug>` (e.g. the letters feature's delivery timeline
  and the institutions' replies). It must return public data only.
- `register_donations_provider(app, fn)`: `fn(campaign_id, after_id, limit) -> list[dict]`,
  each dict an OSDI donation with an integer `id`, ascending by id, only ids > `after_id`.
  Until a provider is registered, the donations endpoint answers 404
  `donations_not_available`.
- `register_partner_resolver(app, fn)`: `fn(campaign_id, api_key_id) -> int | None`, the
  partner a key signs for (sources); a signature added with the key credits that partner.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from ..campaigns.models import Campaign

CampaignExtension = Callable[["Campaign"], object]
DonationsProvider = Callable[[int, int, int], list[dict[str, Any]]]


@dataclass
class ApiRegistry:
    campaign_extensions: dict[str, CampaignExtension] = field(default_factory=dict)
    donations_provider: DonationsProvider | None = None
    partner_resolver: Callable[[int, int], int | None] | None = None


def _registry(app: Flask | None = None) -> ApiRegistry:
    target = app if app is not None else current_app
    registry: ApiRegistry = target.extensions.setdefault("api", ApiRegistry())
    return registry


def register_campaign_extension(app: Flask, name: str, fn: CampaignExtension) -> None:
    _registry(app).campaign_extensions[name] = fn


def campaign_extensions() -> dict[str, CampaignExtension]:
    return dict(_registry().campaign_extensions)


def register_donations_provider(app: Flask, fn: DonationsProvider) -> None:
    _registry(app).donations_provider = fn


def donations_provider() -> DonationsProvider | None:
    return _registry().donations_provider


def register_partner_resolver(app: Flask, fn: Callable[[int, int], int | None]) -> None:
    _registry(app).partner_resolver = fn


def partner_for_key(campaign_id: int, api_key_id: int) -> int | None:
    resolver = _registry().partner_resolver
    return resolver(campaign_id, api_key_id) if resolver is not None else None
