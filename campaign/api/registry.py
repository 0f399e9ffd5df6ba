"""Extension points of the API for features that sit beside it (letters, donations).

The API must not import those features (they are built in parallel and may be absent), so
they register here at import time instead:

- `register_campaign_extension("delivery", fn)`: `fn(campaign) -> dict | list | None` adds a
  key to `GET /api/v1/campaigns/<slug>` (e.g. the letters feature's delivery timeline and
  the institutions' replies). It must return public data only.
- `register_donations_provider(fn)`: `fn(campaign_id, after_id, limit) -> list[dict]`, each
  dict an OSDI donation with an integer `id`, ascending by id, only ids > `after_id`. Until a
  provider is registered, the donations endpoint answers 404 `donations_not_available`.
"""
from __future__ import annotations

from collections.abc import Callable

CampaignExtension = Callable[[object], object]
DonationsProvider = Callable[[int, int, int], list[dict]]

_campaign_extensions: dict[str, CampaignExtension] = {}
_donations_provider: list[DonationsProvider] = []


def register_campaign_extension(name: str, fn: CampaignExtension) -> None:
    _campaign_extensions[name] = fn


def campaign_extensions() -> dict[str, CampaignExtension]:
    return dict(_campaign_extensions)


def register_donations_provider(fn: DonationsProvider) -> None:
    _donations_provider[:] = [fn]


def donations_provider() -> DonationsProvider | None:
    return _donations_provider[0] if _donations_provider else None
