"""Organizer API signatures: cursor pages, adding with and without trusted import."""
from sqlalchemy import select

from campaign.api import service as api
from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.petitions.models import Signature
from tests.api.conftest import bearer
from tests.factories import make_campaign, make_signature, make_user

PERSON = {"person": {"name": "Aisha Vanahun",
                     "email_addresses": [{"address": "aisha@example.org"}],
                     "postal_addresses": [{"country": "KZ"}],
                     "languages_spoken": ["ru"]},
          "comments": "Free them", "display": "initial"}


def count_of(campaign):
    db.session.expire_all()
    return db.session.get(type(campaign), campaign.id).signature_count


def test_every_signature_exactly_once_across_pages_while_new_ones_arrive(client, app, keyed):
    campaign, _user, token = keyed
    expected = [make_signature(campaign).id for _ in range(5)]
    make_signature(campaign, confirmed=False)  # pending: never listed
    seen = []
    url = f"/api/v1/campaigns/{campaign.slug}/signatures?per_page=2"
    pages = 0
    while url:
        page = client.get(url, headers=bearer(token))
        assert page.status_code == 200
        seen += [s["id"] for s in page.json["_embedded"]["osdi:signatures"]]
        pages += 1
        if pages <= 3:  # supporters keep signing between page fetches
            expected += [make_signature(campaign).id, make_signature(campaign).id]
        url = page.json["_links"].get("next", {}).get("href")
    assert seen == sorted(expected) and len(set(seen)) == len(seen)

    # The last page's cursor resumes later with only what arrived since.
    later = make_signature(campaign).id
    resumed = client.get(f"/api/v1/campaigns/{campaign.slug}/signatures?cursor="
                         f"{page.json['next_cursor']}", headers=bearer(token)).json
    assert [s["id"] for s in resumed["_embedded"]["osdi:signatures"]] == [later]


def test_signature_shape_and_forged_cursor(client, app, keyed):
    campaign, _user, token = keyed
    signature = make_signature(campaign, full_name="Dilnaz K", email="dilnaz@example.org",
                               country="KG")
    page = client.get(f"/api/v1/campaigns/{campaign.slug}/signatures", headers=bearer(token))
    item = page.json["_embedded"]["osdi:signatures"][0]
    person = item["_embedded"]["osdi:person"]
    assert person["name"] == "Dilnaz K"
    assert person["email_addresses"][0]["address"] == "dilnaz@example.org"
    assert person["postal_addresses"][0]["country"] == "KG"
    one = client.get(item["_links"]["self"]["href"], headers=bearer(token))
    assert one.status_code == 200 and one.json["id"] == signature.id

    bad = client.get(f"/api/v1/campaigns/{campaign.slug}/signatures?cursor=abc",
                     headers=bearer(token))
    assert bad.status_code == 400 and bad.json["error"]["reason"] == "bad_cursor"
    # A cursor of another campaign's listing is refused too.
    other = make_campaign()
    foreign = api.make_cursor("signatures", other.id, 0)
    assert client.get(f"/api/v1/campaigns/{campaign.slug}/signatures?cursor={foreign}",
                      headers=bearer(token)).status_code == 400


def test_added_signature_needs_email_confirmation_without_trusted_import(
        client, app, keyed, sent_mail):
    campaign, _user, token = keyed
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    response = client.post(url, json=PERSON, headers=bearer(token))
    assert response.status_code == 202
    assert response.json == {"status": "pending_confirmation"}
    signature = db.session.scalar(select(Signature))
    assert signature.status == "pending" and signature.source == "api"
    assert signature.locale == "ru" and signature.display == "initial"
    assert count_of(campaign) == 0
    message = db.session.scalar(select(OutboxMessage))
    assert message.kind == "signature_confirm" and message.to_addr == "aisha@example.org"
    # The same address again: the same answer, nothing learnt.
    assert client.post(url, json=PERSON, headers=bearer(token)).json == response.json


def test_trusted_import_counts_at_once_without_email(client, app):
    campaign = make_campaign()
    user, _ = make_user(role="admin")  # trusted-import keys are made by admins only
    _key, token = api.create_key(user, "partner", [campaign.id], trusted_import=True)
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    created = client.post(url, json=PERSON, headers=bearer(token))
    assert created.status_code == 201
    assert created.json["status"] == "confirmed" and created.json["origin_system"] == "api"
    assert count_of(campaign) == 1
    assert db.session.scalar(select(OutboxMessage)) is None
    again = client.post(url, json=PERSON, headers=bearer(token))
    assert again.status_code == 200 and again.json["id"] == created.json["id"]
    assert count_of(campaign) == 1

    # A pending web signature with that address is confirmed and counted once.
    pending = make_signature(campaign, email="pending@example.org", confirmed=False)
    body = dict(PERSON, person=dict(PERSON["person"],
                                    email_addresses=[{"address": "pending@example.org"}]))
    assert client.post(url, json=body, headers=bearer(token)).status_code == 201
    db.session.expire_all()
    assert db.session.get(Signature, pending.id).status == "confirmed"
    assert count_of(campaign) == 2


def test_bad_input_is_a_clear_error_and_writes_nothing(client, app, keyed):
    campaign, _user, token = keyed
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    assert client.post(url, data="not json", headers=bearer(token)).status_code == 400
    assert client.post(url, json=[1, 2], headers=bearer(token)).status_code == 400
    bad = client.post(url, json={"person": {"name": "", "email_addresses": [
        {"address": "nope"}], "postal_addresses": [{"country": "XX"}]}},
        headers=dict(bearer(token), **{"Accept-Language": "ru"}))
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"full_name", "email", "country"}
    assert client.post(url, json=dict(PERSON, display=5), headers=bearer(token)
                       ).status_code == 422
    assert db.session.scalar(select(Signature)) is None


def test_closed_campaign_takes_no_api_signatures(client, app):
    campaign = make_campaign(status="closed")
    user, _ = make_user(role="admin")  # trusted-import keys are made by admins only
    _key, token = api.create_key(user, "partner", [campaign.id], trusted_import=True)
    response = client.post(f"/api/v1/campaigns/{campaign.slug}/signatures", json=PERSON,
                           headers=bearer(token))
    assert response.status_code == 409
