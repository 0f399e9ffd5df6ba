"""The count as JSON, for widgets and for anyone who wants the number without the page."""
from tests.factories import make_campaign, make_signature


def test_count_as_json(client):
    campaign = make_campaign(goal=500)
    make_signature(campaign)
    make_signature(campaign, confirmed=False)
    response = client.get(f"/api/v1/campaigns/{campaign.slug}/count")
    assert response.status_code == 200
    assert response.get_json() == {"slug": campaign.slug, "status": "live", "count": 1,
                                   "goal": 500}
    assert "max-age=1" in response.headers["Cache-Control"]


def test_drafts_and_unknown_campaigns_are_404_in_json(client):
    draft = make_campaign(status="draft")
    for slug in (draft.slug, "no-such-campaign"):
        response = client.get(f"/api/v1/campaigns/{slug}/count")
        assert response.status_code == 404
        assert response.get_json()["error"]["status"] == 404


def test_count_is_at_most_a_second_old(client):
    import time

    campaign = make_campaign()
    url = f"/api/v1/campaigns/{campaign.slug}/count"
    assert client.get(url).get_json()["count"] == 0
    make_signature(campaign)
    assert client.get(url).get_json()["count"] in (0, 1)
    time.sleep(1.05)
    assert client.get(url).get_json()["count"] == 1
