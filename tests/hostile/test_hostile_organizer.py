"""A hostile organizer: two organizers, two campaigns; everything one may reach of the other's
is tried, by them, by a logged-out visitor, by a password-only session under REQUIRE_2FA, by
an idle session, by a cookie saved before logout, and by revoked, expired and wrong-scope keys.

Both walks read the rules from the app, so a route a feature adds later is tried without
anyone touching this file: the console's from `app.url_map` (every rule under /organize/ but
the login, reset and invitation pages; each state reached by a real login, logout or wait,
and no console view may run), the API's from its OpenAPI document (equal to the URL map:
tests/api/test_openapi.py). tests/organizers/test_gate.py adds the states a person cannot
easily reach (disabled, stale generation, absolute expiry, no CSRF token) and a console page
registered only in that test.
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
from campaign.organizers import gate
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
    signature_a = make_signature(camp_a, email="alice-signer@example.org")
    signature_b = make_signature(camp_b, email="bob-signer@example.org")
    camp_b.status = "draft"  # taken back to draft: nothing of it is public now
    alice, alice_pw = make_user(campaigns=[camp_a])
    bob, bob_pw = make_user(campaigns=[camp_b])
    alice_key_row, alice_key = api.create_key(alice, "all", [camp_a.id])
    revoked, revoked_key = api.create_key(alice, "revoked", [camp_a.id])
    api.revoke_key(alice, revoked.id)
    expired, expired_key = api.create_key(alice, "expired", [camp_a.id],
                                          expires_at=utcnow() + timedelta(days=1))
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    _, counts_only = api.create_key(alice, "counts", [camp_a.id], scopes=["read_aggregates"])
    return {"camp_a": camp_a, "camp_b": camp_b, "signature_a": signature_a,
            "signature_b": signature_b, "alice": alice, "alice_pw": alice_pw, "bob": bob,
            "bob_pw": bob_pw, "alice_key": alice_key, "alice_key_id": alice_key_row.id,
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


# --- every console rule, in every hostile state, reached by real flows ----------------------

def _console_rules():
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                          "TESTING": True}, instance_path=instance)
        return sorted((r.rule, r.endpoint, sorted(r.methods - {"HEAD", "OPTIONS"}))
                      for r in app.url_map.iter_rules()
                      if gate.in_console(r.rule) and r.endpoint not in gate.OPEN_ENDPOINTS)


CONSOLE_RULES = _console_rules()


def _console_url(rule, t, slug):
    values = {"slug": slug, "signature_id": str(t["signature_a"].id),
              "key_id": str(t["alice_key_id"]), "user_id": str(t["alice"].id),
              "locale": "en", "target": "live", "action": "hide", "kind": "csv"}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), "1"), rule)


@pytest.fixture
def watched_views(app):
    """Console views that ran, by endpoint; and `g` emptied at each request, as on a server
    (the test's one app context would otherwise carry Flask-Login's user across requests)."""
    ran: list[str] = []

    def fresh_g():
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)
    for _rule, endpoint, _methods in CONSOLE_RULES:
        view = app.view_functions[endpoint]

        def watching(*args, _view=view, _endpoint=endpoint, **kwargs):
            ran.append(_endpoint)
            return _view(*args, **kwargs)
        app.view_functions[endpoint] = watching
    return ran


def _logout(client):
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    assert client.post("/organize/logout", data={"csrf_token": token}).status_code == 302


def _hostile_states(app, t):
    """(name, client, cookie to restore before each request or None, CSRF token, where a
    refusal leads). Each state is reached the way a person reaches it."""
    alice, password = t["alice"], t["alice_pw"]
    states = []

    visitor = app.test_client()
    states.append(("logged-out visitor", visitor, None,
                   csrf_from(visitor.get("/organize/login").get_data(as_text=True)),
                   "/organize/login"))

    saved = app.test_client()
    assert login(saved, alice.email, password).status_code == 302
    token = csrf_from(saved.get("/organize/").get_data(as_text=True))
    cookie = saved.get_cookie("session").value
    _logout(saved)
    states.append(("cookie saved before logout", saved, cookie, token, "/organize/login"))

    idle = app.test_client()
    assert login(idle, alice.email, password).status_code == 302
    token = csrf_from(idle.get("/organize/").get_data(as_text=True))
    with idle.session_transaction() as session:
        session["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    states.append(("idle session", idle, idle.get_cookie("session").value, token,
                   "/organize/login"))
    return states


def _walk(client, cookie, token, slug_of, t, leads_to, watched_views, skip=frozenset()):
    refused = 0
    for rule, endpoint, methods in CONSOLE_RULES:
        if endpoint in skip:
            continue
        for slug in slug_of:
            url = _console_url(rule, t, slug)
            for method in methods:
                if cookie is not None:
                    client.set_cookie("session", cookie)
                data = None if method == "GET" else {
                    "csrf_token": token, "reason": "x", "email": "intruder@example.org",
                    "name": "sneaky", "scopes": ["read_signatures"], "days": "0"}
                response = client.open(url, method=method, data=data)
                assert response.status_code == 302, (method, url, response.status_code)
                assert response.headers["Location"].split("?")[0].endswith(leads_to), (
                    method, url, response.headers["Location"])
                refused += 1
    assert watched_views == [], watched_views
    return refused


def test_every_console_rule_refuses_every_hostile_session(app, two_organizers, watched_views):
    """Alice's own campaign and Bob's, every console rule and method: a logged-out visitor,
    Alice's cookie saved before she logged out, her idle session, and (below) her
    password-only sessions under REQUIRE_2FA. No console view runs for any of them."""
    t = two_organizers
    slugs = (t["camp_a"].slug, t["camp_b"].slug)
    for name, client, cookie, token, leads_to in _hostile_states(app, t):
        watched_views.clear()
        assert _walk(client, cookie, token, slugs, t, leads_to, watched_views) > 150, name

    app.config["REQUIRE_2FA"] = True
    # Password only, no second factor set up yet: only the set-up page and logging out.
    pending = app.test_client()
    assert login(pending, t["alice"].email, t["alice_pw"]).status_code == 302
    token = csrf_from(pending.get("/organize/2fa").get_data(as_text=True))
    watched_views.clear()
    _walk(pending, None, token, slugs, t, "/organize/2fa", watched_views,
          skip=gate.SETUP_ENDPOINTS)
    # Password only, with a second factor on the account: not logged in at all.
    t["alice"].totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    db.session.commit()
    halfway = app.test_client()
    step = login(halfway, t["alice"].email, t["alice_pw"])
    assert step.headers["Location"].endswith("/organize/login/2fa")
    token = csrf_from(halfway.get("/organize/login/2fa").get_data(as_text=True))
    _walk(halfway, None, token, slugs, t, "/organize/login", watched_views)
    assert api.keys_of(t["alice"]) and len(api.keys_of(t["alice"])) == 4  # none added
    db.session.expire_all()
    assert t["camp_b"].signature_count == 1 and t["signature_a"].status == "confirmed"


def test_every_campaign_rule_of_alice_refuses_bob(client, app, two_organizers):
    """Bob, fully logged in, on every rule of Alice's campaign: 403 (admin-only and own
    pages are walked in tests/organizers/test_access.py)."""
    t = two_organizers
    login(client, t["bob"].email, t["bob_pw"])
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    tried = 0
    for rule, _endpoint, methods in CONSOLE_RULES:
        if "/c/<slug>" not in rule:
            continue
        url = _console_url(rule, t, t["camp_a"].slug)
        for method in methods:
            data = None if method == "GET" else {"csrf_token": token, "reason": "x",
                                                 "email": t["bob"].email, "days": "0"}
            response = client.open(url, method=method, data=data)
            assert response.status_code == 403, (method, url, response.status_code)
            assert "alice-signer" not in response.get_data(as_text=True)
            tried += 1
    assert tried > 60
    db.session.expire_all()
    assert t["signature_a"].status == "confirmed" and t["camp_a"].signature_count == 1


# --- every operation of the API document, with every key that must not work -----------------

def test_every_api_operation_refuses_hostile_keys_on_the_own_campaign(app, two_organizers):
    """Walks /api/v1/openapi.json (which tests/api/test_openapi.py proves equal to the URL
    map) against Alice's own campaign while it is a draft: revoked, expired and wrong-scope
    keys, her good key once she owes a required second factor or is disabled, her console
    session (logged in, and saved before logout) without a key, and no key: all refused."""
    t = two_organizers
    camp_a = t["camp_a"]
    camp_a.status = "draft"
    db.session.commit()
    _, write_only = api.create_key(t["alice"], "write", [camp_a.id], scopes=["write_signatures"])
    _, read_only = api.create_key(t["alice"], "read", [camp_a.id],
                                  scopes=["read_signatures", "read_aggregates"])
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").json
    operations = [(path.replace("{slug}", camp_a.slug)
                   .replace("{signature_id}", str(t["signature_a"].id)), method.upper())
                  for path, ops in document["paths"].items() for method in ops]
    assert len(operations) >= 9
    # The control: the good key reads the draft's signers, so the refusals below are real.
    own = f"/api/v1/campaigns/{camp_a.slug}/signatures"
    assert "alice-signer" in client.get(own, headers=bearer(t["alice_key"])).get_data(
        as_text=True)

    session_client = app.test_client()
    login(session_client, t["alice"].email, t["alice_pw"])
    saved_client = app.test_client()
    login(saved_client, t["alice"].email, t["alice_pw"])
    saved = saved_client.get_cookie("session").value
    _logout(saved_client)
    saved_client.set_cookie("session", saved)

    def callers():
        yield "no key", client, None
        yield "revoked", client, t["revoked_key"]
        yield "expired", client, t["expired_key"]
        yield "wrong scope", client, None  # per method, below
        yield "console session", session_client, None
        yield "cookie saved before logout", saved_client, None
        app.config["REQUIRE_2FA"] = True
        yield "owner owes 2FA", client, t["alice_key"]
        app.config["REQUIRE_2FA"] = False
        t["alice"].is_active = False
        db.session.commit()
        yield "owner disabled", client, t["alice_key"]
        t["alice"].is_active = True
        db.session.commit()

    tried = 0
    for who, caller, token in callers():
        for url, method in operations:
            if who == "wrong scope":
                token = write_only if method == "GET" else read_only
            g.pop("_login_user", None)
            response = _call(caller, method, url, token)
            body = response.get_data(as_text=True)
            assert "alice-signer" not in body, (who, method, url)
            if "{" not in url and camp_a.slug not in url:
                assert camp_a.slug not in body, (who, method, url)  # the list, the document
                continue
            assert response.status_code in (401, 403, 404), (who, method, url,
                                                             response.status_code)
            tried += 1
        if who == "wrong scope":
            token = None
    assert tried >= 8 * 7
    db.session.expire_all()
    assert camp_a.signature_count == 1
