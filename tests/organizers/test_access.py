import re
import tempfile

import pytest

from campaign import create_app
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user


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


# --- every console route, including those other features add later ---------------------------

def _console_rules():
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                          "TESTING": True}, instance_path=instance)
        return sorted(
            ((rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
             for rule in app.url_map.iter_rules() if rule.rule.startswith("/organize")),
            key=lambda item: item[0])


CONSOLE_RULES = _console_rules()
# Pages anyone may open: logging in, and the links in e-mails (their token is checked).
PUBLIC = {"/organize/login", "/organize/login/2fa", "/organize/reset",
          "/organize/reset/<token>", "/organize/invite/<token>", "/organize/logout"}
# Pages any logged-in organizer may open: their own dashboard, account and a new campaign.
# The institutions directory is shared and read-only for organizers (admins edit it).
OWN = {"/organize/", "/organize/2fa", "/organize/new", "/organize/targets/",
       "/organize/api-keys/", "/organize/profile", "/organize/2fa/recovery-codes",
       "/organize/logout-everywhere"}
PROTECTED_RULES = [(r, m) for r, m in CONSOLE_RULES if r not in PUBLIC | OWN]
LOGIN_RULES = [(r, m) for r, m in CONSOLE_RULES if r not in PUBLIC]


def test_the_exceptions_name_real_routes():
    # A renamed route must not drop out of the checks below unnoticed.
    assert {rule for rule, _ in CONSOLE_RULES} >= PUBLIC | OWN
    assert len(PROTECTED_RULES) >= 30


def _fill(rule: str, slug: str, signature_id: int, key_id: int) -> str:
    values = {"slug": slug, "signature_id": str(signature_id), "locale": "en",
              "target": "live", "action": "hide", "user_id": "1", "update_id": "1",
              "key_id": str(key_id), "kind": "xlsx"}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), "1"), rule)


@pytest.mark.parametrize("rule,methods", PROTECTED_RULES, ids=[r for r, _ in PROTECTED_RULES])
def test_every_console_route_refuses_other_organizers(client, app, rule, methods):
    """Another organizer's campaign, its signatures and exports: 403 on every method."""
    theirs = make_campaign()
    signature = make_signature(theirs, comment="hello")
    count = theirs.signature_count
    owner, _ = make_user(campaigns=[theirs])
    from campaign.api.service import create_key
    key, _ = create_key(owner, "theirs", [theirs.id])
    intruder, password = make_user(campaigns=[make_campaign()])
    assert login(client, intruder.email, password).status_code == 302
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    url = _fill(rule, theirs.slug, signature.id, key.id)
    for method in methods:
        data = {"csrf_token": token, "reason": "x", "email": intruder.email}
        response = client.open(url, method=method, data=data if method != "GET" else None)
        assert response.status_code == 403, (method, url, response.status_code)
    from campaign.extensions import db
    db.session.refresh(theirs)
    db.session.refresh(signature)
    assert theirs.signature_count == count and signature.status == "confirmed"
    assert not signature.comment_hidden


@pytest.mark.parametrize("rule,methods", LOGIN_RULES, ids=[r for r, _ in LOGIN_RULES])
def test_every_console_route_needs_login(client, app, rule, methods):
    campaign = make_campaign()
    url = _fill(rule, campaign.slug, 1, 1)
    response = client.get(url) if "GET" in methods else client.post(url, data={})
    # Not logged in: to the login page (GET), or refused (POST without a session's CSRF).
    assert response.status_code in (302, 400, 401), (url, response.status_code)
    if response.status_code == 302:
        assert "/organize/login" in response.headers["Location"]


def test_a_signature_of_another_campaign_is_not_found_through_mine(client, app):
    mine, theirs = make_campaign(), make_campaign()
    signature = make_signature(theirs)
    user, password = make_user(campaigns=[mine])
    login(client, user.email, password)
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    response = client.post(f"/organize/c/{mine.slug}/signatures/{signature.id}/invalidate",
                           data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 404
