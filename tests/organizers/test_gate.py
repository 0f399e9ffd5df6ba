"""The console's one gate: every rule under /organize/ in the URL map, whatever feature added
it, is refused in every state a session can be in but "fully logged in".

A blueprint registered only here (no decorator, CSRF-exempt) proves that a page a new
feature adds is covered without anyone touching this file or the feature.
"""
from __future__ import annotations

import re
import tempfile
import time

import pytest
from flask import Blueprint, g

from campaign import create_app
from campaign.extensions import csrf, db
from campaign.organizers import gate
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_user

# --- a console page added by a feature nobody told this test about ---------------------------

DUMMY_HITS: list[str] = []


def _dummy_blueprint() -> Blueprint:
    bp = Blueprint("zz_new_feature", __name__, url_prefix="/organize/zz-new-feature")

    @bp.route("/<slug>/secret", methods=["GET", "POST"])
    @csrf.exempt  # even a view a feature exempted from CSRF gets the gate's check
    def secret(slug):
        DUMMY_HITS.append(slug)
        return "every signer's e-mail"

    return bp


def _console_rules():
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                          "TESTING": True}, instance_path=instance)
        app.register_blueprint(_dummy_blueprint())
        return sorted(
            ((rule.rule, rule.endpoint, sorted(rule.methods - {"HEAD", "OPTIONS"}))
             for rule in app.url_map.iter_rules() if gate.in_console(rule.rule)),
            key=lambda item: (item[0], item[1]))


CONSOLE_RULES = _console_rules()
# The pages that must stay reachable without a session, listed here on purpose.
OPEN = {"/organize/login", "/organize/login/2fa", "/organize/reset",
        "/organize/reset/<token>", "/organize/invite/<token>"}
GATED = [(rule, endpoint, methods) for rule, endpoint, methods in CONSOLE_RULES
         if rule not in OPEN]


def test_the_lists_match_the_gate():
    rules = {rule: endpoint for rule, endpoint, _ in CONSOLE_RULES}
    assert set(rules) >= OPEN
    assert {rules[r] for r in OPEN} == gate.OPEN_ENDPOINTS
    assert "/organize/zz-new-feature/<slug>/secret" in {r for r, _, _ in GATED}
    assert len(GATED) >= 45


def _fill(rule: str, slug: str) -> str:
    values = {"slug": slug, "locale": "en", "target": "live", "action": "hide"}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), "1"), rule)


@pytest.fixture
def gated(app):
    app.register_blueprint(_dummy_blueprint())
    DUMMY_HITS.clear()
    return app


def _session_for(client, user, **extra):
    """A cookie session as a full login leaves it; `extra` overrides keys."""
    token = csrf_from(client.get("/organize/login").get_data(as_text=True))
    now = int(time.time())
    # Keep Flask-WTF's raw token (set by the GET above), add the login keys.
    with client.session_transaction() as session:
        raw = session.get("csrf_token")
        session.clear()
        session["csrf_token"] = raw
        if user is not None:
            session.update({"_user_id": user.get_id(), "_fresh": True, "login_at": now,
                            "seen": now, "mfa": bool(user.totp_secret)})
        for key, value in extra.items():
            if value is None:
                session.pop(key, None)
            else:
                session[key] = value
    # The tests run inside one app context, whose `g` outlives a request: drop the user
    # Flask-Login cached there, so the next request loads it from the session as a server does.
    g.pop("_login_user", None)
    return token


STATES = ["anonymous", "disabled", "stale-generation", "idle", "expired",
          "password-only-with-2fa", "2fa-setup-pending", "no-csrf"]


def _enter(state, client, app, user):
    """Put `client` in `state`; returns the CSRF token to send and where a refusal leads."""
    now = int(time.time())
    lifetime = app.config["SESSION_LIFETIME_HOURS"] * 3600
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    if state == "anonymous":
        return _session_for(client, None), "/organize/login"
    if state == "disabled":
        token = _session_for(client, user)
        user.is_active = False  # the column alone: the gate must not rely on a generation bump
        db.session.commit()
        return token, "/organize/login"
    if state == "stale-generation":
        token = _session_for(client, user, _user_id=f"{user.id}:{user.session_generation - 1}")
        return token, "/organize/login"
    if state == "idle":
        return _session_for(client, user, seen=now - idle - 5), "/organize/login"
    if state == "expired":
        # Active a second ago, but logged in longer ago than the absolute lifetime.
        return _session_for(client, user, login_at=now - lifetime - 5, seen=now - 1), \
            "/organize/login"
    if state == "password-only-with-2fa":
        user.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        db.session.commit()
        return _session_for(client, user, mfa=False), "/organize/login"
    if state == "2fa-setup-pending":
        app.config["REQUIRE_2FA"] = True
        return _session_for(client, user), "/organize/2fa"
    if state == "no-csrf":
        _session_for(client, user)
        return "not-a-valid-token", None
    raise AssertionError(state)


@pytest.mark.parametrize("rule,endpoint,methods", GATED, ids=[f"{r}:{e}" for r, e, _ in GATED])
def test_every_console_rule_is_refused_in_every_state(client, gated, rule, endpoint, methods):
    campaign = make_campaign()
    admin, _ = make_user(role="admin", campaigns=[campaign])
    admin.session_generation = 3
    db.session.commit()
    url = _fill(rule, campaign.slug)
    # The control: a full session reaches the dummy page, so the refusals below are real.
    _session_for(client, admin)
    assert client.get(_fill("/organize/zz-new-feature/<slug>/secret", "ctl")).status_code == 200
    for state in STATES:
        if state == "2fa-setup-pending" and endpoint in gate.SETUP_ENDPOINTS:
            continue  # the set-up page and logout are what such a session may use
        for method in methods:
            if state == "no-csrf" and method == "GET":
                continue
            admin.is_active, admin.totp_secret = True, None
            db.session.commit()
            gated.config["REQUIRE_2FA"] = False
            token, leads_to = _enter(state, client, gated, admin)
            response = client.open(url, method=method,
                                   data=None if method == "GET" else {"csrf_token": token})
            if leads_to is None:
                assert response.status_code == 400, (state, method, url, response.status_code)
            else:
                assert response.status_code == 302, (state, method, url, response.status_code)
                assert response.headers["Location"].split("?")[0].endswith(leads_to), (
                    state, method, url, response.headers["Location"])
    assert DUMMY_HITS == ["ctl"]


def test_a_refused_session_is_ended_not_just_redirected(client, gated):
    user, password = make_user()
    assert login(client, user.email, password).status_code == 302
    with client.session_transaction() as session:
        session["login_at"] -= gated.config["SESSION_LIFETIME_HOURS"] * 3600 + 5
    assert client.get("/organize/").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session and "login_at" not in session


def test_the_lifetime_is_absolute_not_sliding(client, gated):
    user, password = make_user()
    login(client, user.email, password)
    lifetime = gated.config["SESSION_LIFETIME_HOURS"] * 3600
    # Busy all along (seen a moment ago), still ends when the lifetime since login is over.
    with client.session_transaction() as session:
        session["login_at"] -= lifetime - 60
    assert client.get("/organize/").status_code == 200
    with client.session_transaction() as session:
        session["login_at"] -= 120
    response = client.get("/organize/")
    assert response.status_code == 302 and "/organize/login" in response.headers["Location"]


def test_unknown_console_paths_do_not_reveal_themselves_to_strangers(client, gated):
    response = client.get("/organize/no-such-page")
    assert response.status_code == 302 and "/organize/login" in response.headers["Location"]
