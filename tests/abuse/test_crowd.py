"""Carrier-grade NAT: a crowd on one network signs; a script cannot flood mail.

With the production default limits (not the bench's), on a simulated clock (each post moves
it 0.3 s: 2,000 posts = 10 minutes), through the app with REMOTE_ADDR as the client:
- 2,000 different people from one /24 each get their confirmation e-mail queued, whether they
  come from 100 addresses of the /24, or from one address an admin allow-listed (a mobile
  carrier's NAT gateway) in the console;
- 2,000 posts from one address, of one e-mail address, of throwaway domains or of a script's
  own domain queue a bounded number of e-mails, and the velocity alarm names the domain.
"""
import itertools

import pytest
from sqlalchemy import func, select

from campaign.abuse import limits as limits_module
from campaign.extensions import db
from campaign.organizers import limits as limit_settings
from campaign.outbox.models import OutboxMessage
from campaign.petitions.console import safety
from campaign.petitions.models import Signature
from tests.factories import make_campaign, make_user
from tests.forms_util import SIGN_FORM, hidden_inputs

POSTS = 2000
WEBMAIL = ("gmail.com", "mail.ru", "yandex.kz", "kaznu.edu.kz")  # the last is not exempt


class Clock:
    """A clock that moves 0.3 s per reading, starting on the hour (windows line up)."""

    def __init__(self):
        self.now = 1_800_000_000 - 1_800_000_000 % 3600

    def __call__(self):
        return self.now

    def tick(self):
        self.now += 600 / POSTS


@pytest.fixture
def surge(app, client, monkeypatch):
    """Production limits on; posts a sign form from an address, as a browser would."""
    app.config["RATELIMIT_ENABLED"] = True
    clock = Clock()
    monkeypatch.setattr(limits_module, "clock", clock)
    limits_module._fallback.reset()
    campaign = make_campaign()
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    form = dict(SIGN_FORM, **hidden_inputs(page))  # one browser session: its CSRF token

    def post(ip, email):
        clock.tick()
        return client.post(f"/en/c/{campaign.slug}/sign", data=dict(form, email=email),
                           environ_base={"REMOTE_ADDR": ip}).status_code
    post.campaign = campaign
    return post


def queued():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "signature_confirm"))


def pending():
    return db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.status == "pending"))


def test_a_crowd_behind_100_addresses_of_one_24_all_get_their_email(surge):
    answers = [surge(f"203.0.113.{n % 100 + 1}", f"person{n}@{WEBMAIL[n % 4]}")
               for n in range(POSTS)]
    assert answers.count(303) == POSTS
    assert pending() == queued() == POSTS


def test_a_crowd_behind_one_allow_listed_nat_address_all_get_their_email(surge, app):
    admin, _ = make_user(role="admin")
    limit_settings.save_limit_settings(admin, {"allowed_networks": "203.0.113.0/24"})
    answers = [surge("203.0.113.9", f"person{n}@{WEBMAIL[n % 4]}") for n in range(POSTS)]
    assert answers.count(303) == POSTS
    assert pending() == queued() == POSTS


def test_one_address_not_allow_listed_is_held_to_its_limit(surge):
    # The same crowd from one address without the allow-list: 30/minute, 300/hour.
    answers = [surge("198.51.100.7", f"bot{n}@gmail.com") for n in range(POSTS)]
    assert answers.count(303) == queued() == 300
    assert answers.count(429) == POSTS - 300


def test_one_email_address_from_many_networks_gets_one_email(surge):
    ips = (f"10.{n // 250}.{n % 250}.1" for n in itertools.count())
    answers = [surge(next(ips), "target@example.org") for _ in range(POSTS)]
    assert queued() == 1 and pending() == 1
    assert answers.count(303) == 5  # then the per-e-mail limit (5/hour) answers 429
    assert answers.count(429) == POSTS - 5


def test_throwaway_domains_get_no_email(surge):
    domains = ("mailinator.com", "10minutemail.com", "guerrillamail.com", "yopmail.com")
    ips = (f"10.{n // 250}.{n % 250}.1" for n in itertools.count())
    # Each post is refused by the same check before anything is stored; a fifth of the
    # surge (every domain 100 times) proves it without re-rendering the page 2,000 times.
    answers = [surge(next(ips), f"t{n}@{domains[n % 4]}") for n in range(POSTS // 5)]
    assert set(answers) == {422}
    assert queued() == 0 and pending() == 0


def test_a_scripts_own_domain_is_bounded_and_raises_the_alarm(surge, app):
    ips = (f"10.{n // 250}.{n % 250}.1" for n in itertools.count())
    answers = [surge(next(ips), f"x{n}@flood.example") for n in range(POSTS)]
    # 60 a minute for ten minutes; every post came from another network.
    assert answers.count(303) == queued() == 600
    alarms = safety.velocity(surge.campaign.id).alarms
    assert "domain" in alarms and "network" not in alarms
