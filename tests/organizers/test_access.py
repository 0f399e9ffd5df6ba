from tests.conftest import login
from tests.factories import make_campaign, make_user


def test_organizer_sees_only_their_campaigns(client, app):
    mine, theirs = make_campaign(), make_campaign()
    user, password = make_user(campaigns=[mine])
    assert login(client, user.email, password).status_code == 302
    dashboard = client.get("/organize/").get_data(as_text=True)
    assert mine.slug in dashboard and theirs.slug not in dashboard
    assert client.get(f"/organize/c/{mine.slug}/").status_code == 200
    assert client.get(f"/organize/c/{theirs.slug}/").status_code == 403
    assert client.get("/organize/c/nope/").status_code == 404


def test_admin_sees_every_campaign(client, app):
    campaign = make_campaign()
    admin, password = make_user(role="admin")
    login(client, admin.email, password)
    assert client.get(f"/organize/c/{campaign.slug}/").status_code == 200


def test_console_needs_login_and_a_right_password(client, app):
    user, _ = make_user()
    assert client.get("/organize/").status_code == 302
    response = login(client, user.email, "wrong")
    assert response.status_code == 422
    assert "wrong" in response.get_data(as_text=True)
    assert client.get("/organize/").status_code == 302
