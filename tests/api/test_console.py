"""/organize/api-keys: create (secret shown once), scope, revoke."""
import re

from sqlalchemy import select

from campaign.api.models import ApiKey
from campaign.extensions import db
from tests.api.conftest import bearer
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_user


def test_create_use_and_revoke_a_key(client, app):
    mine, theirs = make_campaign(), make_campaign()
    user, password = make_user(campaigns=[mine])
    assert client.get("/organize/api-keys/").status_code == 302  # login required
    login(client, user.email, password)
    page = client.get("/organize/api-keys/").get_data(as_text=True)
    assert f"Title {mine.slug} en" in page and f"Title {theirs.slug} en" not in page

    # A campaign the user does not manage cannot be chosen.
    refused = client.post("/organize/api-keys/", data={
        "csrf_token": csrf_from(page), "name": "partner", "campaigns": [str(theirs.id)]})
    assert refused.status_code == 422 and db.session.scalar(select(ApiKey)) is None

    # Trusted import (counted without e-mail) is for admins only.
    refused = client.post("/organize/api-keys/", data={
        "csrf_token": csrf_from(page), "name": "partner", "campaigns": [str(mine.id)],
        "scopes": ["write_signatures"], "trusted_import": "y"})
    assert refused.status_code == 403 and db.session.scalar(select(ApiKey)) is None
    created = client.post("/organize/api-keys/", data={
        "csrf_token": csrf_from(page), "name": "partner", "campaigns": [str(mine.id)],
        "scopes": ["read_signatures"]})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    token = re.search(r"data-api-key>([^<]+)<", created.get_data(as_text=True)).group(1)
    key = db.session.scalar(select(ApiKey))
    assert not key.trusted_import and [c.id for c in key.campaigns] == [mine.id]
    assert key.scope_set == {"read_signatures"}
    # Shown once: the list shows only the prefix afterwards.
    later = client.get("/organize/api-keys/").get_data(as_text=True)
    assert token not in later and key.prefix in later

    api_url = f"/api/v1/campaigns/{mine.slug}/signatures"
    assert client.get(api_url, headers=bearer(token)).status_code == 200
    revoke = client.post(f"/organize/api-keys/{key.id}/revoke",
                         data={"csrf_token": csrf_from(later)})
    assert revoke.status_code == 303
    assert client.get(api_url, headers=bearer(token)).status_code == 401


def test_nobody_revokes_another_users_key(client, app):
    campaign = make_campaign()
    owner, _ = make_user(campaigns=[campaign])
    from campaign.api import service as api
    key, _token = api.create_key(owner, "k", [campaign.id])
    other, password = make_user(campaigns=[campaign])
    login(client, other.email, password)
    page = client.get("/organize/api-keys/").get_data(as_text=True)
    response = client.post(f"/organize/api-keys/{key.id}/revoke",
                           data={"csrf_token": csrf_from(page)})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).revoked_at is None


def test_the_list_shows_each_keys_scopes_and_expiry(client, app):
    campaign = make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    page = client.get("/organize/api-keys/").get_data(as_text=True)
    created = client.post("/organize/api-keys/", data={
        "csrf_token": csrf_from(page), "name": "counts-partner", "campaigns": [str(campaign.id)],
        "scopes": ["read_aggregates", "write_signatures"], "expires_on": "2099-03-31"})
    assert created.status_code == 201
    listing = client.get("/organize/api-keys/").get_data(as_text=True)
    row = next(r for r in listing.split("<tr") if "counts-partner" in r)
    assert "read counts; add signatures" in row and "read signers" not in row
    assert "2099-03-31" in row  # valid until the end of that day
    key = db.session.scalar(select(ApiKey))
    assert key.expires_at.date().isoformat() == "2099-04-01"
