from __future__ import annotations

import pytest

from campaign.api import service as api
from tests.factories import make_campaign, make_user


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def keyed(app):
    """A live campaign, its organizer, and a key scoped to it: (campaign, user, token)."""
    campaign = make_campaign(locales=("en", "ru"))
    user, _ = make_user(campaigns=[campaign])
    _key, token = api.create_key(user, "partner", [campaign.id])
    return campaign, user, token
