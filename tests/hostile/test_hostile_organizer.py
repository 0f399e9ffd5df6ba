"""A hostile organizer: two organizers, two campaigns; everything one may reach of the other's
is tried, by them, by a logged-out visitor, by a password-only session under REQUIRE_2FA, by
an idle session, by a cookie saved before logout, and by revoked, expired and wrong-scope keys.

The console's rules are walked from `app.url_map` here and in tests/organizers/test_access.py
(another organizer: 403 on each) and tests/organizers/test_gate.py (each session state); the
API's rules are walked here.
"""
from __future__ import annotations

import re
import tempfile
from datetime import timedelta

import pytest
from flask import g

from campaign import create_app
from campaign.api import service as api
from campaign.extensions import db
from campaign.util import utcnow
from tests.api.conftest import bearer
from tests.conftest import csrf_from, login, make_app
from tests.factories import make_campaign, make_signature, make_user

PERSON = {"person": {"name": "Intruder Test", "email_addresses": [{"address": "x@example.org"}],
                     "postal_addresses": [{"country": "KZ"}]}}


def _api_rules():
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                          "TESTING": True}, instance_path=instance)
        return sorted((r.rule, sorted(r.methods - {"HEAD", "OPTIONS"}))
                       for r in app.url_map.iter_rules()
                       if r.rule.startswith("/api/") and "<slug>" in r.rule)


API_RULES = _api_rules()


def _fill(rule, slug, signature_id):
    values = {"slug": slug, "signature_id": str(signature_id)}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), "1"), rule)


@pytest.fixture
def two_organizers(app):
    """Alice runs campaign A; Bob runs a draft campaign B with signers. Keys of Alice's."""
    camp_a, camp_b = make_campaign(), make_campaign()
    signature_b = make_signature(camp_b, email="bob-signer@example.org")
    camp_b.status = "draft"  # taken back to draft: nothing of it is public now
    alice, alice_pw = make_user(campaigns=[camp_a])
    bob, _ = make_user(campaigns=[camp_b])
    _, alice_key = api.create_key(alice, "all", [camp_a.id])
    revoked, revoked_key = api.create_key(alice, "revoked", [camp_a.id])
    api.revoke_key(alice, revoked.id)
    expired, expired_key = api.create_key(alice, "expired", [camp_a.id],
                                          expires_at=utcnow() + timedelta(days=1))
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _, counts_only = api.create_key(alice, "counts", [camp_a.id], scopes=["read_aggregates"])
    return {"camp_a": camp_a, "camp_b": camp_b, "signature_b": signature_b, "alice": alice,
            "alice_pw": alice_pw, "bob": bob, "alice_key": alice_key,
            "revoked_key": revoked_key, "expired_key": expired_key,
            "counts_only": counts_only}


def _call(client, method, url, token=None):
    headers = bearer(token) if token else {}
    if method == "POST":
        return client.post(url, json=PERSON, headers=headers)
    return client.get(url, headers=headers)


@pytest.mark.parametrize("rule,methods", API_RULES, ids=[r for r, _ in API_RULES])
def test_no_api_call_reaches_another_organizers_campaign(client, app, two_organizers, rule,
                                                         methods):
    t = two_organizers
    url = _fill(rule, t["camp_b"].slug, t["signature_b"].id)
    for method in methods:
        for who, token in [("visitor", None), ("alice", t["alice_key"]),
                           ("revoked", t["revoked_key"]), ("expired", t["expired_key"]),
                           ("counts-only", t["counts_only"])]:
            response = _call(client, method, url, token)
            assert response.status_code in (401, 403, 404), (who, method, url,
                                                             response.status_code)
            assert "bob-signer" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert t["camp_b"].signature_count == 1


def test_revoked_expired_and_wrong_scope_keys_on_the_own_campaign(client, app, two_organizers):
    t = two_organizers
    make_signature(t["camp_a"], email="alice-signer@example.org")
    url = f"/api/v1/campaigns/{t['camp_a'].slug}/signatures"
    assert client.get(url, headers=bearer(t["alice_key"])).status_code == 200
    assert client.get(url, headers=bearer(t["revoked_key"])).status_code == 401
    assert client.get(url, headers=bearer(t["expired_key"])).status_code == 401
    refused = client.get(url, headers=bearer(t["counts_only"]))
    assert refused.status_code == 403 and refused.json["error"]["reason"] == "key_scope_missing"
    assert client.post(url, json=PERSON, headers=bearer(t["counts_only"])).status_code == 403
    # What the counts-only key was made for works: counts of its campaign while a draft,
    # for that client only (never a shared cache); without a key a draft has none.
    t["camp_a"].status = "draft"
    db.session.commit()
    assert client.get(f"{url}/by-country").status_code == 404
    counts = client.get(f"{url}/by-country", headers=bearer(t["counts_only"]))
    assert counts.status_code == 200 and "no-store" in counts.headers["Cache-Control"]
    assert client.get(f"{url}/by-day", headers=bearer(t["alice_key"])).status_code == 200


def test_a_key_stops_when_its_owner_owes_a_required_second_factor(client, app, two_organizers):
    t = two_organizers
    url = f"/api/v1/campaigns/{t['camp_a'].slug}/signatures"
    assert client.get(url, headers=bearer(t["alice_key"])).status_code == 200
    app.config["REQUIRE_2FA"] = True
    assert client.get(url, headers=bearer(t["alice_key"])).status_code == 401


def test_a_password_only_session_under_require_2fa_gets_nothing(client, app, two_organizers):
    t = two_organizers
    app.config["REQUIRE_2FA"] = True
    assert login(client, t["alice"].email, t["alice_pw"]).status_code == 302
    for path in ("/organize/", "/organize/api-keys/",
                 f"/organize/c/{t['camp_a'].slug}/signatures.csv",
                 f"/organize/c/{t['camp_a'].slug}/donations.csv",
                 f"/organize/c/{t['camp_a'].slug}/letters/dossier.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/organize/2fa"), path
    page = client.get("/organize/2fa").get_data(as_text=True)
    response = client.post("/organize/api-keys/", data={
        "csrf_token": csrf_from(page), "name": "sneaky", "campaigns": [str(t["camp_a"].id)],
        "scopes": ["read_signatures"]})
    assert response.status_code == 302
    assert len(api.keys_of(t["alice"])) == 4  # none added


def test_an_idle_session_and_a_cookie_saved_before_logout(client, app, two_organizers):
    t = two_organizers
    login(client, t["alice"].email, t["alice_pw"])
    csv_url = f"/organize/c/{t['camp_a'].slug}/signatures.csv"
    assert client.get(csv_url).status_code == 200
    saved = client.get_cookie("session").value
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    client.post("/organize/logout", data={"csrf_token": token})
    client.set_cookie("session", saved)
    g.pop("_login_user", None)  # the test's app context outlives requests; a server's not
    assert client.get(csv_url).status_code == 302
    login(client, t["alice"].email, t["alice_pw"])
    with client.session_transaction() as session:
        session["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    assert client.get(csv_url).status_code == 302


def test_knowing_a_key_prefix_does_not_block_its_writes(tmp_path, database_url):
    app = make_app(database_url, tmp_path / "instance", RATELIMIT_ENABLED=True,
                   API_WRITE_RATE_LIMIT="3/minute")
    with app.app_context():
        from campaign.extensions import limiter
        limiter.reset()
        try:
            campaign = make_campaign()
            owner, _ = make_user(campaigns=[campaign])
            key, token = api.create_key(owner, "partner", [campaign.id])
            url = f"/api/v1/campaigns/{campaign.slug}/signatures"
            client = app.test_client()
            forged = f"kjc_{key.prefix}_not-the-secret"
            assert [client.post(url, json=PERSON, headers=bearer(forged)).status_code
                    for _ in range(5)][:3] == [401, 401, 401]
            assert client.post(url, json=PERSON, headers=bearer(token)).status_code == 202
            # The real key's own budget still holds.
            codes = [client.post(url, json=PERSON, headers=bearer(token)).status_code
                     for _ in range(3)]
            assert codes[-1] == 429
        finally:
            limiter.reset()
            db.session.remove()
            from tests.conftest import wipe
            wipe(db.engine)
            db.engine.dispose()
