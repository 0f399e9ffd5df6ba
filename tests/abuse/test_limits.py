"""Rate limits per network, address and domain: 429, translated, with Retry-After."""
import logging

from sqlalchemy import func, select

import campaign.abuse.limits as limits_module
from campaign.addresses import network_hash, normalize_email
from campaign.extensions import db
from campaign.petitions.models import Signature
from tests.conftest import free_port
from tests.factories import make_campaign
from tests.forms_util import sign_post


def stored():
    return db.session.scalar(select(func.count()).select_from(Signature))


def limited(app, **limits):
    app.config.update({"RATELIMIT_ENABLED": True, "RATELIMIT_SIGN_PER_NETWORK": None,
                       "RATELIMIT_SIGN_PER_EMAIL": None, "RATELIMIT_SIGN_PER_DOMAIN": None,
                       **limits})


def as_ip(client, ip):
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def test_one_network_is_limited_across_its_addresses(client, app):
    limited(app, RATELIMIT_SIGN_PER_NETWORK="3/minute")
    campaign = make_campaign()
    for n in range(3):
        response = sign_post(as_ip(client, f"203.0.113.{n + 1}"), campaign,
                             email=f"person{n}@example.org")
        assert response.status_code == 303
    blocked = sign_post(as_ip(client, "203.0.113.99"), campaign, email="late@example.org")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert stored() == 3
    # Another /24 is not affected; IPv6 counts per /48.
    assert sign_post(as_ip(client, "198.51.100.7"), campaign,
                     email="other@example.org").status_code == 303
    assert stored() == 4


def test_the_429_page_is_translated(client, app):
    limited(app, RATELIMIT_SIGN_PER_NETWORK="1/minute")
    campaign = make_campaign(locales=("ru",))
    assert sign_post(client, campaign, lang="ru").status_code == 303
    blocked = sign_post(client, campaign, lang="ru", email="b@example.org")
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]
    assert 'lang="ru"' in blocked.get_data(as_text=True)


def test_one_address_in_any_spelling_is_limited(client, app):
    limited(app, RATELIMIT_SIGN_PER_EMAIL="2/hour")
    first, second = make_campaign(), make_campaign()
    assert sign_post(client, first, email="a.b+x@gmail.com").status_code == 303
    assert sign_post(client, second, email="AB@googlemail.com").status_code == 303
    assert sign_post(client, first, email="a.b@gmail.com").status_code == 429


def test_one_domain_is_limited_but_big_webmail_is_not(client, app):
    limited(app, RATELIMIT_SIGN_PER_DOMAIN="2/minute", RATELIMIT_COMMON_DOMAINS="gmail.com")
    campaign = make_campaign()
    for n in range(2):
        assert sign_post(client, campaign, email=f"u{n}@flood.example").status_code == 303
    assert sign_post(client, campaign, email="u9@flood.example").status_code == 429
    for n in range(4):
        assert sign_post(client, campaign, email=f"g{n}@gmail.com").status_code == 303


def test_address_normalisation_counts_one_person_once():
    assert normalize_email("a.b+x@gmail.com")[1] == normalize_email("ab@gmail.com")[1]
    assert normalize_email("A.B@GoogleMail.com")[1] == "ab@gmail.com"
    # Dots matter elsewhere; plus-tags do not.
    assert normalize_email("a.b@example.org")[1] != normalize_email("ab@example.org")[1]
    assert normalize_email("ab+news@example.org")[1] == "ab@example.org"


def test_network_hash_groups_a_24_and_never_holds_the_address():
    assert network_hash("203.0.113.5", "k") == network_hash("203.0.113.250", "k")
    assert network_hash("203.0.113.5", "k") != network_hash("203.0.114.5", "k")
    assert network_hash("2001:db8:1:aaaa::1", "k") == network_hash("2001:db8:1:bbbb::2", "k")
    assert "203.0.113" not in network_hash("203.0.113.5", "k")


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_redis_down_degrades_to_memory_and_keeps_taking_signatures(database_url, tmp_path):
    from tests.conftest import make_app, wipe

    limits_module._last_warning = 0.0  # the warning is throttled to one a minute
    limits_module._fallback.reset()
    app = make_app(database_url, tmp_path / "inst", RATELIMIT_ENABLED=True,
                   RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
                   RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5},
                   RATELIMIT_SIGN_PER_NETWORK="3/minute")
    with app.app_context():
        try:
            campaign = make_campaign()
            client = app.test_client()
            recorder, logger = Recorder(), logging.getLogger("campaign.abuse.limits")
            logger.addHandler(recorder)
            try:
                for n in range(3):
                    assert sign_post(client, campaign,
                                     email=f"r{n}@example.org").status_code == 303
            finally:
                logger.removeHandler(recorder)
            assert stored() == 3
            assert any("rate limit storage unavailable" in line for line in recorder.lines)
            # Limits still hold, counted in this process.
            assert sign_post(client, campaign, email="r9@example.org").status_code == 429
        finally:
            db.session.remove()
            wipe(db.engine)
            db.engine.dispose()
