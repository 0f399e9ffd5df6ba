"""The count as JSON, for widgets and for anyone who wants the number without the page."""
from tests.factories import make_campaign, make_signature


def test_count_as_json(client):
    campaign = make_campaign(goal=500)
    make_signature(campaign)
    make_signature(campaign, confirmed=False)
    response = client.get(f"/api/v1/campaigns/{campaign.slug}")
    assert response.status_code == 200
    assert response.get_json() == {"slug": campaign.slug, "status": "live", "count": 1,
                                   "goal": 500}
    assert "max-age=1" in response.headers["Cache-Control"]


def test_drafts_and_unknown_campaigns_are_404_in_json(client):
    draft = make_campaign(status="draft")
    for slug in (draft.slug, "no-such-campaign"):
        response = client.get(f"/api/v1/campaigns/{slug}")
        assert response.status_code == 404
        assert response.get_json()["error"]["status"] == 404
