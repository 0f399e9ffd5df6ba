"""Sessions that end, and a second factor that holds: the flows an organizer goes through."""
from __future__ import annotations

import re

import pyotp
import pytest
from flask import g

from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.organizers import service
from campaign.organizers.models import RecoveryCode
from tests.conftest import csrf_from, login
from tests.factories import make_user
from tests.organizers.conftest import deliver, link_in, post_form

pytestmark = pytest.mark.usefixtures("request_scoped_g")


def _fresh_request():
    # One app context spans the test: forget the user Flask-Login cached in `g`.
    g.pop("_login_user", None)


def _saved_cookie(client):
    return client.get_cookie("session").value


def _replay(client, cookie):
    client.set_cookie("session", cookie)
    _fresh_request()
    return client.get("/organize/")


def _enable_2fa(client, user, password):
    assert login(client, user.email, password).status_code == 302
    page = client.get("/organize/2fa").get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    response = post_form(client, "/organize/2fa", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    shown = client.get(response.headers["Location"])
    codes = re.findall(r"<code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})</code>",
                       shown.get_data(as_text=True))
    return secret, codes, shown


def _login_2fa(client, user, password, code):
    assert login(client, user.email, password).headers["Location"].endswith("/organize/login/2fa")
    return post_form(client, "/organize/login/2fa", {"code": code})


def test_a_cookie_saved_before_logout_is_worthless(client, app):
    user, password = make_user()
    login(client, user.email, password)
    saved = _saved_cookie(client)
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    assert client.post("/organize/logout", data={"csrf_token": token}).status_code == 302
    response = _replay(client, saved)
    assert response.status_code == 302 and "/organize/login" in response.headers["Location"]


def test_password_reset_ends_every_session(client, app, sent_mail):
    user, password = make_user(email="owner@example.org")
    other = app.test_client()
    login(other, user.email, password)
    assert other.get("/organize/").status_code == 200
    post_form(client, "/organize/reset", {"email": "owner@example.org"})
    path = link_in(deliver(sent_mail)[0], "/organize/reset/")
    assert post_form(client, path, {"password": "a-brand-new-password"}).status_code == 302
    _fresh_request()
    assert other.get("/organize/").status_code == 302


def test_set_password_ends_sessions_for_every_caller(client, app):
    # The profile page (another feature) calls service.set_password: sessions end there too.
    user, password = make_user()
    login(client, user.email, password)
    service.set_password(user, "another-long-password")
    db.session.commit()
    _fresh_request()
    assert client.get("/organize/").status_code == 302


def test_disabling_and_log_out_everywhere_end_sessions(client, app):
    user, password = make_user()
    admin, _ = make_user(role="admin")
    second = app.test_client()
    login(client, user.email, password)
    login(second, user.email, password)
    page = client.get("/organize/2fa").get_data(as_text=True)
    assert "Log out everywhere" in page
    response = post_form(client, "/organize/2fa", {}, action="/organize/logout-everywhere")
    assert response.status_code == 302
    _fresh_request()
    assert second.get("/organize/").status_code == 302
    assert client.get("/organize/").status_code == 302
    login(client, user.email, password)
    service.set_active(admin, user, False)
    service.set_active(admin, user, True)  # enabling again does not bring old sessions back
    _fresh_request()
    assert client.get("/organize/").status_code == 302


def test_setup_secret_is_stable_and_the_page_says_on(client, app):
    user, password = make_user()
    login(client, user.email, password)
    first = client.get("/organize/2fa").get_data(as_text=True)
    again = client.get("/organize/2fa").get_data(as_text=True)
    secret = re.search(r"<code>([A-Z2-7]+)</code>", first).group(1)
    assert secret in again
    assert "Two-factor authentication is off." in first
    # Typing the code from the app after a reload works (the secret did not change).
    response = post_form(client, "/organize/2fa", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    client.get(response.headers["Location"])
    page = client.get("/organize/2fa").get_data(as_text=True)
    assert "Two-factor authentication is on." in page
    assert "10 unused recovery codes left." in page
    # The enabling browser goes on; its session passed the new factor.
    assert client.get("/organize/").status_code == 200


def test_enabling_2fa_ends_other_sessions(client, app):
    user, password = make_user()
    other = app.test_client()
    login(other, user.email, password)
    _enable_2fa(client, user, password)
    _fresh_request()
    assert other.get("/organize/").status_code == 302


def test_ten_recovery_codes_shown_once_stored_hashed_single_use(client, app):
    user, password = make_user()
    _secret, codes, shown = _enable_2fa(client, user, password)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert shown.headers["Cache-Control"] == "no-store"
    # Shown once: the page does not show them again.
    again = client.get("/organize/2fa/recovery-codes")
    assert again.status_code == 302
    stored = [row.code_hash for row in db.session.scalars(db.select(RecoveryCode))]
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in codes
                                         for h in stored)
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    client.post("/organize/logout", data={"csrf_token": token})
    # A recovery code logs in once (lower case and spaces are forgiven).
    assert _login_2fa(client, user, password, codes[0].lower().replace("-", " ")
                      ).status_code == 302
    assert client.get("/organize/").status_code == 200
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    client.post("/organize/logout", data={"csrf_token": token})
    assert _login_2fa(client, user, password, codes[0]).status_code == 422
    assert _login_2fa(client, user, password, codes[1]).status_code == 302
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"account.2fa_enabled", "account.2fa_recovery_code_used",
            "account.2fa_failed"} <= actions


def test_wrong_codes_end_the_pending_login_and_lock_the_account(client, app):
    user, password = make_user()
    secret, codes, _ = _enable_2fa(client, user, password)
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    client.post("/organize/logout", data={"csrf_token": token})
    # Per pending login: after three wrong codes the password must be typed again.
    login(client, user.email, password)
    for _attempt in range(3):
        response = post_form(client, "/organize/login/2fa", {"code": "000000"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/organize/login")
    # Per account, whatever the address or browser: after LOGIN_MAX_FAILURES the right code
    # is refused for a while too.
    strangers = [app.test_client() for _ in range(3)]
    failures = 3
    for stranger in strangers:
        login(stranger, user.email, password)
        while failures < app.config["LOGIN_MAX_FAILURES"]:
            post_form(stranger, "/organize/login/2fa", {"code": "111111"})
            failures += 1
            if failures % 2 == 0:
                break
    db.session.refresh(user)
    assert user.totp_locked_until is not None
    response = _login_2fa(client, user, password, pyotp.TOTP(secret).now())
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/organize/login")
    _fresh_request()
    assert client.get("/organize/").status_code == 302
    # The owner's way back: a password reset (proves the mailbox) lifts the code lock.
    service.reset_password(user, "a-fresh-long-password")
    assert _login_2fa(client, user, "a-fresh-long-password", codes[5]).status_code == 302


def test_lock_out_hides_accounts_and_spares_a_known_browser(client, app):
    user, password = make_user()
    # The owner logged in from this browser before: it holds the known-device cookie.
    assert login(client, user.email, password).status_code == 302
    assert client.get_cookie("kjc_device", path="/organize/") is not None
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    client.post("/organize/logout", data={"csrf_token": token})
    # A stranger guesses until the account locks.
    stranger = app.test_client()
    answers = [login(stranger, user.email, "guess-" + str(n)).get_data(as_text=True)
               for n in range(app.config["LOGIN_MAX_FAILURES"] + 1)]
    nobody = [login(stranger, "nobody@example.org", "guess-" + str(n)).get_data(as_text=True)
              for n in range(app.config["LOGIN_MAX_FAILURES"] + 1)]

    def message(html):
        return re.search(r'class="field-error"[^>]*>(.*?)<', html, re.DOTALL) or html

    # Locked or not, existing or not: the same message.
    assert {m.group(1) if hasattr(m, "group") else m for m in map(message, answers + nobody)} \
        == {message(answers[0]).group(1)}
    # The stranger's new browser is locked out even with the right password...
    assert login(stranger, user.email, password).status_code == 422
    # ...the owner's known browser is not.
    assert login(client, user.email, password).status_code == 302


def test_a_locked_out_owner_gets_back_in_by_reset_from_a_new_browser(client, app, sent_mail):
    user, password = make_user(email="locked@example.org")
    stranger = app.test_client()
    for n in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        login(stranger, user.email, f"guess-{n}")
    new_browser = app.test_client()
    assert login(new_browser, user.email, password).status_code == 422  # locked here too
    post_form(new_browser, "/organize/reset", {"email": "locked@example.org"})
    path = link_in(deliver(sent_mail)[-1], "/organize/reset/")
    assert post_form(new_browser, path, {"password": "a-brand-new-password"}
                     ).status_code == 302
    _fresh_request()
    another = app.test_client()
    assert login(another, user.email, "a-brand-new-password").status_code == 302
    assert login(stranger, user.email, password).status_code == 422  # the old one is gone
