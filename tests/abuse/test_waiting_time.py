"""The 429 page names the real waiting time, in the reader's language, for our own limits and
for Flask-Limiter's (login)."""
import re

from campaign.extensions import db
from tests.abuse.test_limits import limited, sign_post
from tests.conftest import make_app
from tests.factories import make_campaign, make_user
from tests.organizers.conftest import post_form


def test_sign_limit_page_says_how_long_to_wait(client, app):
    limited(app, RATELIMIT_SIGN_PER_EMAIL="1/hour")
    campaign = make_campaign(locales=("en", "ru"))
    assert sign_post(client, campaign).status_code == 303
    blocked = sign_post(client, campaign)
    seconds = int(blocked.headers["Retry-After"])
    assert 3000 < seconds <= 3601  # rounded up to whole seconds
    page = blocked.get_data(as_text=True)
    minutes = re.search(r"Please wait (\d+) minutes, then try again", page)
    assert minutes and int(minutes.group(1)) == -(-seconds // 60)
    assert "a few minutes" not in page
    ru = sign_post(client, campaign, lang="ru").get_data(as_text=True)
    assert re.search(r"Время ожидания — \d+ минут\w*, затем попробуйте ещё раз", ru)


def test_login_limit_page_says_how_long_to_wait(tmp_path, database_url):
    app = make_app(database_url, tmp_path / "instance", RATELIMIT_ENABLED=True,
                   LOGIN_RATE_LIMIT="2 per hour", LOGIN_MAX_FAILURES=100)
    with app.app_context():
        from campaign.extensions import limiter
        limiter.reset()
        client = app.test_client()
        user, _ = make_user()
        try:
            data = {"email": user.email, "password": "wrong"}
            for _ in range(2):
                post_form(client, "/organize/login", data)
            blocked = post_form(client, "/organize/login", data)
            assert blocked.status_code == 429
            assert 3000 < int(blocked.headers["Retry-After"]) <= 3601  # rounded up to whole seconds
            assert re.search(r"Please wait \d+ minutes, then try again",
                             blocked.get_data(as_text=True))
        finally:
            limiter.reset()
            db.session.remove()
            from tests.conftest import wipe
            wipe(db.engine)
            db.engine.dispose()
