"""Organizer API keys: 401 without a good key, 403 outside its campaigns."""
from sqlalchemy import select

from campaign.api import service as api
from campaign.api.models import ApiKey
from campaign.extensions import db
from tests.api.conftest import bearer
from tests.factories import make_campaign, make_user


def test_no_wrong_or_revoked_key_is_401(client, app, keyed):
    campaign, user, token = keyed
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    assert client.get(url).status_code == 401
    assert client.get(url).headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(url, headers=bearer(token[:-2] + "xx")).status_code == 401
    assert client.get(url, headers=bearer("kjc_nope_nope")).status_code == 401
    assert client.get(url, headers=bearer("garbage")).status_code == 401
    assert client.get(url, headers=bearer(token)).status_code == 200
    assert client.get(url, headers={"OSDI-API-Token": token}).status_code == 200

    key = db.session.scalar(select(ApiKey))
    assert api.revoke_key(user, key.id)
    assert client.get(url, headers=bearer(token)).status_code == 401
    assert client.post(url, json={}, headers=bearer(token)).status_code == 401


def test_key_for_another_campaign_is_403(client, app, keyed):
    _campaign, _user, token = keyed
    other = make_campaign()
    for method, suffix in (("get", "signatures"), ("post", "signatures"),
                           ("get", "signatures/1"), ("get", "donations")):
        response = getattr(client, method)(f"/api/v1/campaigns/{other.slug}/{suffix}",
                                           headers=bearer(token), json={})
        assert response.status_code == 403, suffix
        assert response.json["error"]["reason"] == "key_not_scoped_to_campaign"


def test_key_stops_working_when_its_owner_loses_the_campaign(client, app, keyed):
    campaign, user, token = keyed
    from campaign.organizers.models import CampaignMember
    db.session.execute(db.delete(CampaignMember).where(CampaignMember.user_id == user.id))
    db.session.commit()
    response = client.get(f"/api/v1/campaigns/{campaign.slug}/signatures", headers=bearer(token))
    assert response.status_code == 403


def test_only_a_hash_is_stored_and_last_use_is_recorded(client, app, keyed):
    campaign, _user, token = keyed
    key = db.session.scalar(select(ApiKey))
    assert token not in (key.secret_hash, key.prefix) and len(key.secret_hash) == 64
    assert key.last_used_at is None
    client.get(f"/api/v1/campaigns/{campaign.slug}/signatures", headers=bearer(token))
    db.session.expire_all()
    assert db.session.scalar(select(ApiKey)).last_used_at is not None


def test_a_key_cannot_be_scoped_to_a_campaign_the_user_does_not_manage(app):
    mine, theirs = make_campaign(), make_campaign()
    user, _ = make_user(campaigns=[mine])
    key, _token = api.create_key(user, "k", [mine.id, theirs.id])
    assert [c.id for c in key.campaigns] == [mine.id]


def test_donations_are_listed_page_by_page(client, app, keyed):
    from decimal import Decimal

    from campaign.donations import service as donations
    from campaign.donations.money import Money

    campaign, _user, token = keyed
    for amount in ("10", "20", "30"):
        donations.record_offline(campaign, amount=Money(Decimal(amount), "EUR"), received=True,
                                 donor_name="Donor", public=False, note=None)
    first = client.get(f"/api/v1/campaigns/{campaign.slug}/donations?per_page=2",
                       headers=bearer(token)).json
    second = client.get(first["_links"]["next"]["href"], headers=bearer(token)).json
    listed = first["_embedded"]["osdi:donations"] + second["_embedded"]["osdi:donations"]
    assert [d["amount"] for d in listed] == ["10.00", "20.00", "30.00"]
    assert {d["channel"] for d in listed} == {"offline"}
    assert client.get(f"/api/v1/campaigns/{campaign.slug}/donations").status_code == 401
