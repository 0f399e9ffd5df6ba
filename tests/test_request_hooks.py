"""What every response gets, after the per-request hooks were made cheaper (issue 18): the
same protections, with work skipped only where its outcome is known in advance."""
from __future__ import annotations

import flask_wtf.csrf

from tests.conftest import csrf_from

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
