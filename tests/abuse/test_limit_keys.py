"""Rate-limit storage never holds an address: every limit's key is a keyed hash.

Drives each limited endpoint (sign, widget, login, letters, donate, privacy, API) from an
IPv4 and an IPv6 client, then reads every key in the storage: memory always, Redis too when
TEST_REDIS_URL is set (e.g. redis://127.0.0.1:6379/8; the test empties that database; under
pytest-xdist worker gwN uses database 8+N instead, so workers never empty each other's).
"""
import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from campaign.abuse import limits as limits_module
from campaign.abuse.limits import address_key
from campaign.extensions import db, limiter
from campaign.widget import service as widget
from tests.conftest import make_app
from tests.factories import make_campaign
from tests.forms_util import sign_post

STORAGES = ["memory"] + (["redis"] if os.environ.get("TEST_REDIS_URL") else [])


def redis_url() -> str:
    """TEST_REDIS_URL, its database number moved up by the xdist worker's number."""
    url = urlsplit(os.environ["TEST_REDIS_URL"])
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int(url.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    return urlunsplit(url._replace(path=f"/{number}"))

CLIENTS = {"203.0.113.77": ("203.0.113", "203-0-113", "203_0_113", "cb007100", "cb00714d"),
           "2001:db8:77:1::5": ("2001:db8", "2001:0db8", "20010db8", "db8:77")}


def _drive_every_limited_endpoint(client, campaign, n):
    assert sign_post(client, campaign, email=f"keys{n}@example.org").status_code == 303
    widget_sign = client.post(f"/en/c/{campaign.slug}/widget/sign", data={
        "full_name": "Aisha", "email": f"w{n}@example.org", "country": "KZ",
        "display": "full", "widget_token": widget.form_token(campaign.id)})
    assert widget_sign.status_code == 303
    assert client.post("/organize/login", data={"email": "nobody@example.org",
                                                "password": "wrong"}).status_code in (200, 422)
    client.post(f"/en/c/{campaign.slug}/letters", data={"email": "x"})
    client.post(f"/en/c/{campaign.slug}/donate", data={"amount": "x"})
    assert client.post("/en/privacy", data={"email": f"p{n}@example.org"}).status_code == 303
    assert client.post(f"/api/v1/campaigns/{campaign.slug}/signatures",
                       json={}).status_code == 401


def _all_keys(app, storage_kind):
    if storage_kind == "redis":
        import redis
        connection = redis.Redis.from_url(redis_url())
        return [key.decode() for key in connection.keys("*")]
    keys = set(limiter.storage.storage) | set(limiter.storage.events)
    keys |= set(app.extensions["abuse_rate_storage"].storage)
    return sorted(keys)


@pytest.mark.parametrize("storage_kind", STORAGES)
def test_no_limit_key_holds_an_address(database_url, tmp_path, storage_kind):
    uri = redis_url() if storage_kind == "redis" else "memory://"
    if storage_kind == "redis":
        import redis
        redis.Redis.from_url(uri).flushdb()
    limits_module._fallback.reset()
    app = make_app(database_url, tmp_path / "inst", RATELIMIT_ENABLED=True,
                   RATELIMIT_STORAGE_URI=uri, WTF_CSRF_ENABLED=False)
    with app.app_context():
        try:
            campaign = make_campaign()
            widget.set_framing(campaign.id, [], allow_any=True)
            client = app.test_client()
            for n, ip in enumerate(CLIENTS):
                client.environ_base["REMOTE_ADDR"] = ip
                _drive_every_limited_endpoint(client, campaign, n)
            keys = _all_keys(app, storage_kind)
            text = "\n".join(keys)
            # Every limit was counted (the test cannot pass by counting nothing)...
            for marker in ("abuse/sign/ADDRESS", "abuse/sign/NETWORK", "abuse/sign/EMAIL",
                           "abuse/privacy/NETWORK", "abuse/privacy/EMAIL", "organizers.login",
                           "letters.write", "donations.start", "widget.sign",
                           "api.add_signature"):
                assert marker in text, (marker, keys)
            # ...under the keyed hash of the client's address...
            for ip in CLIENTS:
                assert address_key(ip) in text
            # ...and no spelling of an address, a network or an e-mail is anywhere.
            for ip, spellings in CLIENTS.items():
                for spelling in (ip, *spellings):
                    assert spelling not in text.lower(), spelling
            assert "example.org" not in text and "keys0" not in text
            assert not limits_module._fallback.storage  # nothing fell back silently
        finally:
            db.session.remove()
            from tests.conftest import wipe
            wipe(db.engine)
            db.engine.dispose()
            limiter.reset()


def test_ipv6_addresses_count_per_64_and_networks_per_48(client, app):
    from tests.abuse.test_limits import as_ip, limited, stored

    limited(app, RATELIMIT_SIGN_PER_ADDRESS="2/minute", RATELIMIT_SIGN_PER_NETWORK="4/minute")
    campaign = make_campaign()
    answers = [sign_post(as_ip(client, ip), campaign, email=f"v6{n}@example.org").status_code
               for n, ip in enumerate(["2001:db8:5:1::1", "2001:db8:5:1:ffff::2",
                                       "2001:db8:5:1::3",  # third in the /64: refused
                                       "2001:db8:5:2::1", "2001:db8:5:3::1",
                                       "2001:db8:5:4::1",  # fifth in the /48: refused
                                       "2001:db8:6:1::1"])]  # another /48
    assert answers == [303, 303, 429, 303, 303, 429, 303]
    assert stored() == 5
    assert address_key("2001:db8:5:1::1") == address_key("2001:db8:5:1:aaaa::9")
    assert address_key("2001:db8:5:1::1") != address_key("2001:db8:5:2::1")
    assert address_key("203.0.113.1") != address_key("203.0.113.2")
