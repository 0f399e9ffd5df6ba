import time

import pyotp
from click.testing import CliRunner  # noqa: F401 - flask's runner wraps it

from campaign.extensions import db
from campaign.organizers import service
from tests.conftest import csrf_from, login, make_app
from tests.factories import make_user
from tests.organizers.conftest import deliver, link_in, post_form


def test_lock_out_after_repeated_wrong_passwords(client, app):
    user, password = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login(client, user.email, "not-the-password").status_code == 422
    db.session.refresh(user)
    assert user.locked_until is not None
    # Locked: even the right password is refused, with a message saying so.
    response = login(client, user.email, password)
    assert response.status_code == 422 and "locked" in response.get_data(as_text=True)
    assert client.get("/organize/").status_code == 302
    # When the lock has passed, the right password works again.
    user.locked_until = user.locked_until.replace(year=2000)
    db.session.commit()
    assert login(client, user.email, password).status_code == 302


def test_login_is_rate_limited_per_client(tmp_path, database_url):
    app = make_app(database_url, tmp_path / "instance", RATELIMIT_ENABLED=True,
                   LOGIN_RATE_LIMIT="3 per minute", LOGIN_MAX_FAILURES=100)
    with app.app_context():
        from campaign.extensions import limiter
        limiter.reset()
        client = app.test_client()
        user, _ = make_user()
        try:
            codes = [login(client, user.email, "wrong").status_code for _ in range(4)]
            assert codes == [422, 422, 422, 429]
        finally:
            limiter.reset()
            db.session.remove()
            from tests.conftest import wipe
            wipe(db.engine)
            db.engine.dispose()


def test_password_reset_by_email(client, app, sent_mail):
    user, old_password = make_user(email="reset-me@example.org")
    response = post_form(client, "/organize/reset", {"email": "reset-me@example.org"})
    assert response.status_code == 302
    # Same answer for an unknown address, and no e-mail for it.
    assert post_form(client, "/organize/reset", {"email": "nobody@example.org"}
                     ).status_code == 302
    messages = deliver(sent_mail)
    assert [m["To"] for m in messages] == ["reset-me@example.org"]
    path = link_in(messages[0], "/organize/reset/")
    assert post_form(client, path, {"password": "short"}).status_code == 422
    assert post_form(client, path, {"password": "a-brand-new-password"}).status_code == 302
    assert client.get(path).status_code == 404  # used once
    assert login(client, user.email, old_password).status_code == 422
    assert login(client, user.email, "a-brand-new-password").status_code == 302


def test_reset_link_expires(client, app, sent_mail):
    make_user(email="slow@example.org")
    post_form(client, "/organize/reset", {"email": "slow@example.org"})
    path = link_in(deliver(sent_mail)[0], "/organize/reset/")
    app.config["RESET_MAX_AGE_MINUTES"] = 0
    time.sleep(1.1)
    assert client.get(path).status_code == 404
    assert client.get("/organize/reset/garbage").status_code == 404


def test_idle_session_expires(client, app):
    user, password = make_user()
    login(client, user.email, password)
    assert client.get("/organize/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 5
    response = client.get("/organize/")
    assert response.status_code == 302 and "/organize/login" in response.headers["Location"]
    assert client.get("/organize/").status_code == 302  # really logged out


def test_session_cookie_has_a_lifetime(client, app):
    user, password = make_user()
    response = login(client, user.email, password)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie
    assert app.permanent_session_lifetime.total_seconds() == \
        app.config["SESSION_LIFETIME_HOURS"] * 3600


def test_logout_ends_the_session(client, app):
    user, password = make_user()
    login(client, user.email, password)
    token = csrf_from(client.get("/organize/").get_data(as_text=True))
    assert client.post("/organize/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/organize/").status_code == 302


def test_disabled_account_is_logged_out(client, app):
    user, password = make_user()
    login(client, user.email, password)
    service.set_active(None, user, False)
    assert client.get("/organize/").status_code == 302
    assert login(client, user.email, password).status_code == 422


def test_required_two_factor_must_be_set_up_first(client, app):
    user, password = make_user()
    admin, _ = make_user(role="admin")
    service.set_totp_required(admin, user, True)
    login(client, user.email, password)
    response = client.get("/organize/")
    assert response.headers["Location"].endswith("/organize/2fa")
    page = client.get("/organize/2fa").get_data(as_text=True)
    import re
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    assert post_form(client, "/organize/2fa", {"secret": secret, "code": "123456"}
                     ).status_code == 422
    assert post_form(client, "/organize/2fa", {"secret": secret,
                                               "code": pyotp.TOTP(secret).now()}
                     ).status_code == 302
    assert client.get("/organize/").status_code == 200


def test_require_2fa_setting_applies_to_everyone(client, app):
    app.config["REQUIRE_2FA"] = True
    user, password = make_user()
    login(client, user.email, password)
    assert client.get("/organize/").headers["Location"].endswith("/organize/2fa")


def test_invite_is_admin_only_and_no_duplicate(client, app, sent_mail):
    organizer, password = make_user()
    login(client, organizer.email, password)
    assert client.get("/organize/users").status_code == 403
    admin, admin_password = make_user(role="admin")
    client.post("/organize/logout", data={"csrf_token": csrf_from(
        client.get("/organize/").get_data(as_text=True))})
    login(client, admin.email, admin_password)
    response = post_form(client, "/organize/users", {"email": organizer.email,
                                                     "role": "organizer"})
    assert response.status_code == 422 and "exists already" in response.get_data(as_text=True)


def test_users_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "ops@example.org"])
    assert result.exit_code == 0, result.output
    password = result.output.split("password: ")[1].split()[0]
    user = service.user_by_email("ops@example.org")
    assert user.is_admin and service.verify_password(user, password)
    assert "ops@example.org\tadmin\tactive" in runner.invoke(args=["users", "list"]).output
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    assert runner.invoke(args=["users", "reset-2fa", "ops@example.org"]).exit_code == 0
    assert runner.invoke(args=["users", "disable", "ops@example.org"]).exit_code == 0
    db.session.refresh(user)
    assert user.totp_secret is None and not user.is_active
    assert runner.invoke(args=["users", "disable", "ghost@example.org"]).exit_code != 0
