"""What every response gets, after the per-request hooks were made cheaper (issue 18): the
same protections, with work skipped only where its outcome is known in advance."""
from __future__ import annotations

import flask_wtf.csrf

from tests.conftest import csrf_from
from tests.factories import make_campaign, make_user
from tests.forms_util import SIGN_FORM, hidden_inputs

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "Permissions-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options")


def test_healthz_has_every_protection_and_no_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    for name in SECURITY_HEADERS:
        assert response.headers.get(name), name
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert response.headers["Content-Security-Policy"].count("frame-ancestors") == 1
    # Nobody's session was read: no cookie set, and caches need not key on cookies.
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_redirect_is_not_compressed_and_a_page_is(client):
    redirect = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert redirect.status_code == 302
    assert "Content-Encoding" not in redirect.headers
    assert "Accept-Encoding" not in redirect.headers.get("Vary", "")
    assert redirect.headers["X-Frame-Options"] == "DENY"
    page = client.get("/organize/login", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    assert page.headers["Cache-Control"] == "no-store"


def test_one_csrf_check_per_console_post(client, monkeypatch):
    calls = []
    original = flask_wtf.csrf.validate_csrf

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(flask_wtf.csrf, "validate_csrf", counting)
    token = csrf_from(client.get("/organize/login").get_data(as_text=True))
    assert calls == []  # a GET is not checked
    answer = client.post("/organize/login", data={
        "email": "nobody@example.org", "password": "wrong", "csrf_token": token})
    assert answer.status_code in (200, 422)  # the form's answer, not a CSRF refusal
    assert len(calls) == 1  # the app-wide hook checked; the console gate did not again
    refused = client.post("/organize/login", data={
        "email": "nobody@example.org", "password": "wrong"})
    assert refused.status_code == 400  # still checked on the next request


def test_a_forged_or_stale_session_cookie_is_an_empty_session(app, client):
    client.set_cookie("session", "not-a-signed-value")
    response = client.get("/organize/login")
    assert response.status_code == 200
    token = csrf_from(response.get_data(as_text=True))
    # The new session (with its CSRF secret) replaced the forged one.
    assert any(c.key == "session" and c.value != "not-a-signed-value"
               for c in client._cookies.values())
    assert client.post("/organize/login", data={
        "email": "nobody@example.org", "password": "x", "csrf_token": token}
        ).status_code in (200, 422)
    app.config["SECRET_KEY"] = "another key entirely, rotated " * 2
    assert client.post("/organize/login", data={
        "email": "nobody@example.org", "password": "x", "csrf_token": token}
        ).status_code == 400  # the old key's cookie no longer opens the session


def _count_session_opens(app, monkeypatch) -> list[str]:
    opened: list[str] = []
    interface = app.session_interface
    real = interface.open_session

    def counting(app_, request):
        opened.append(request.path)
        return real(app_, request)
    monkeypatch.setattr(interface, "open_session", counting)
    return opened


def test_a_request_that_never_uses_the_session_does_not_read_its_cookie(app, client,
                                                                         monkeypatch):
    campaign = make_campaign()
    page = client.get(f"/en/c/{campaign.slug}")
    token = csrf_from(page.get_data(as_text=True))
    assert any(c.key == "session" for c in client._cookies.values())  # a session exists
    opened = _count_session_opens(app, monkeypatch)
    for path in ("/healthz", f"/api/v1/campaigns/{campaign.slug}/count",
                 f"/en/c/{campaign.slug}/thanks"):
        response = client.get(path)
        assert response.status_code == 200, path
        # Not read, so neither set again nor a reason for caches to key on cookies.
        assert "Set-Cookie" not in response.headers, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
    assert opened == []
    # The session is intact: the token of the first page still passes, and a page that
    # needs the session opens it (once) and gives the same reader the same CSRF secret.
    again = client.get(f"/en/c/{campaign.slug}")
    assert opened == [f"/en/c/{campaign.slug}"]
    assert "Cookie" in again.headers["Vary"]
    assert client.post(f"/en/c/{campaign.slug}/sign", data=dict(
        SIGN_FORM, **hidden_inputs(again.get_data(as_text=True))) | {"csrf_token": token}
        ).status_code == 303


def test_each_reader_keeps_their_own_csrf_token_with_the_lazy_session(app):
    campaign = make_campaign(locales=("en", "ru"))
    first, second = app.test_client(), app.test_client()

    def alone(call):  # an app context of its own, as a server runs each request
        with app.app_context():
            return call()
    page_1 = hidden_inputs(alone(lambda: first.get(f"/en/c/{campaign.slug}")).get_data(
        as_text=True))
    token_2 = csrf_from(alone(lambda: second.get(f"/en/c/{campaign.slug}")).get_data(
        as_text=True))
    assert token_2 != page_1["csrf_token"]
    alone(lambda: first.get("/healthz"))  # does not open the session: changes nothing
    # Another reader's token is refused with the site's own CSRF page, translated.
    crossed = alone(lambda: first.post(f"/ru/c/{campaign.slug}/sign",
                                       data=dict(SIGN_FORM, **page_1) | {"csrf_token": token_2}))
    assert crossed.status_code == 400
    assert "Срок действия формы истёк" in crossed.get_data(as_text=True)  # "Your form expired"
    assert alone(lambda: first.post(f"/en/c/{campaign.slug}/sign",
                                    data=dict(SIGN_FORM, **page_1))).status_code == 303


def test_a_session_first_used_late_in_the_request_is_saved(app, client):
    # The login form writes to the session only when it is posted: the lazily opened
    # session is saved like any other (the organizer's console works after it).
    user, _password = make_user(email="lazy@example.org", password="correct horse battery")
    page = client.get("/organize/login")
    assert "Set-Cookie" in page.headers  # the form's CSRF secret went into a new session
    answer = client.post("/organize/login", data={
        "email": user.email, "password": "correct horse battery",
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert answer.status_code in (302, 303)
    assert "Set-Cookie" in answer.headers



def test_the_rate_limiter_checks_limited_views_only_and_still_limits_them(
        tmp_path, database_url, monkeypatch):
    """Flask-Limiter's per-request check is skipped for a view no limit applies to, and a
    view with a limit (the organizer login) is still checked and refused past its limit."""
    from flask import request
    from flask_limiter import Limiter as LibraryLimiter

    from campaign.extensions import db, limiter
    from tests.conftest import make_app, wipe

    checked: list[str | None] = []
    original = LibraryLimiter._check_request_limit

    def recording(self, callable_name=None, in_middleware=True):
        checked.append(request.endpoint)
        return original(self, callable_name, in_middleware)

    monkeypatch.setattr(LibraryLimiter, "_check_request_limit", recording)
    app = make_app(database_url, tmp_path / "instance", RATELIMIT_ENABLED=True,
                   LOGIN_RATE_LIMIT="2 per minute", LOGIN_MAX_FAILURES=100)
    with app.app_context():
        limiter.reset()
        client = app.test_client()
        try:
            assert client.get("/healthz").status_code == 200
            assert client.get("/en/").status_code == 200
            assert checked == []  # no limit on either: Flask-Limiter not consulted
            token = csrf_from(client.get("/organize/login").get_data(as_text=True))
            codes = [client.post("/organize/login", data={
                "email": "nobody@example.org", "password": "wrong", "csrf_token": token}
            ).status_code for _ in range(3)]
            assert "organizers.login" in checked
            assert codes == [422, 422, 429]
        finally:
            limiter.reset()
            db.session.remove()
            wipe(db.engine)
            db.engine.dispose()
