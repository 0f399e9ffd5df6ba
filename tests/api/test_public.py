"""Open data: anyone may read counts, from any origin, with no personal data in them."""
import csv
import io

from tests.factories import make_campaign, make_signature


def test_campaign_list_and_detail_without_drafts_or_personal_data(client, app):
    live = make_campaign(locales=("en", "ru"), goal=50)
    make_campaign(status="draft")
    closed = make_campaign(status="closed")
    make_signature(live, full_name="Secret Person", email="secret@example.org", country="KZ")
    make_signature(live, confirmed=False, country="KG")

    listing = client.get("/api/v1/campaigns")
    assert listing.status_code == 200
    slugs = [c["slug"] for c in listing.json["campaigns"]]
    assert sorted(slugs) == sorted([live.slug, closed.slug])

    detail = client.get(f"/api/v1/campaigns/{live.slug}")
    body = detail.json
    assert body["slug"] == live.slug and body["status"] == "live"
    assert body["count"] == 1 and body["goal"] == 50 and body["deadline"] is None
    assert body["texts"]["ru"]["title"] == f"Title {live.slug} ru"
    assert body["texts"]["en"]["summary"] == "Summary en"
    raw = detail.get_data(as_text=True)
    assert "Secret Person" not in raw and "secret@example.org" not in raw


def test_draft_and_unknown_campaigns_are_404_json(client, app):
    draft = make_campaign(status="draft")
    for slug in (draft.slug, "nope"):
        response = client.get(f"/api/v1/campaigns/{slug}")
        assert response.status_code == 404
        assert response.json["error"]["status"] == 404


def test_aggregates_by_country_and_day(client, app):
    campaign = make_campaign()
    for country in ("KZ", "KZ", "KG", "DE"):
        make_signature(campaign, country=country)
    make_signature(campaign, country="FR", confirmed=False)  # unconfirmed: not counted
    by_country = client.get(f"/api/v1/campaigns/{campaign.slug}/signatures/by-country?lang=ru")
    assert by_country.json["by_country"][0] == {"country": "KZ", "name": "Казахстан",
                                                "count": 2}
    assert {r["country"] for r in by_country.json["by_country"]} == {"KZ", "KG", "DE"}
    by_day = client.get(f"/api/v1/campaigns/{campaign.slug}/signatures/by-day").json
    assert len(by_day["by_day"]) == 1 and by_day["by_day"][0]["count"] == 4
    assert by_day["by_day"][0]["date"][:2] == "20"


def test_cors_open_and_cacheable_on_public_reads_only(client, app, keyed):
    campaign, _user, token = keyed
    public = client.get(f"/api/v1/campaigns/{campaign.slug}",
                        headers={"Origin": "https://partner.example"})
    assert public.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=60" in public.headers["Cache-Control"]
    etag = public.headers["ETag"]
    again = client.get(f"/api/v1/campaigns/{campaign.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304

    private = client.get(f"/api/v1/campaigns/{campaign.slug}/signatures",
                         headers={"Origin": "https://partner.example",
                                  "Authorization": f"Bearer {token}"})
    assert private.status_code == 200
    assert "Access-Control-Allow-Origin" not in private.headers
    assert private.headers["Cache-Control"] == "no-store"


def test_public_api_sets_no_cookie(client, app):
    campaign = make_campaign()
    response = client.get(f"/api/v1/campaigns/{campaign.slug}")
    assert "Set-Cookie" not in response.headers


def test_open_data_files(client, app):
    campaign = make_campaign()
    make_signature(campaign, country="KZ")
    make_signature(campaign, country="DE")
    data = client.get(f"/de/c/{campaign.slug}/data.json")
    assert data.status_code == 200 and data.headers["Access-Control-Allow-Origin"] == "*"
    assert {"country": "DE", "name": "Deutschland", "count": 1} in data.json["by_country"]
    assert data.json["by_day"][0]["count"] == 2

    by_country = client.get(f"/en/c/{campaign.slug}/data.csv")
    assert by_country.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(by_country.get_data(as_text=True))))
    assert rows[0] == ["country", "name", "count"]
    assert ["KZ", "Kazakhstan", "1"] in rows
    by_day = list(csv.reader(io.StringIO(
        client.get(f"/en/c/{campaign.slug}/data.csv?by=day").get_data(as_text=True))))
    assert by_day[0] == ["date", "count"] and by_day[1][1] == "2"
    assert client.get(f"/en/c/{campaign.slug}/data.csv?by=email").status_code == 400
