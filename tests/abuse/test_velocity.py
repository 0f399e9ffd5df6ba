"""Organizers see a flood and invalidate it; the count follows."""
from datetime import timedelta

from sqlalchemy import select, update

from campaign.extensions import db
from campaign.petitions.console import safety as service
from campaign.petitions.models import Signature
from campaign.util import utcnow
from tests.conftest import csrf_from, login
from tests.factories import make_campaign, make_signature, make_user


def count_of(campaign):
    db.session.expire_all()
    return db.session.get(type(campaign), campaign.id).signature_count


def flood(campaign, n, domain="flood.example", ip="203.0.113.9", confirmed=True, name="bot"):
    return [make_signature(campaign, email=f"{name}{i}@{domain}", ip=ip, confirmed=confirmed)
            for i in range(n)]


def age(signatures, hours):
    ids = [s.id for s in signatures]
    db.session.execute(update(Signature).where(Signature.id.in_(ids)).values(
        created_at=utcnow() - timedelta(hours=hours)))
    db.session.commit()


def test_steady_signing_raises_no_alarm(app):
    app.config["ABUSE_VELOCITY_MIN_PER_HOUR"] = 5
    campaign = make_campaign()
    for hours in range(2, 22):
        age([make_signature(campaign, email=f"p{hours}@example{hours}.org",
                            ip=f"10.{hours}.0.1")], hours)
    make_signature(campaign, email="now@example.net", ip="10.99.0.1")
    assert service.velocity(campaign.id).alarms == []


def test_a_jump_in_rate_and_one_domains_share_raise_alarms(app):
    app.config["ABUSE_VELOCITY_MIN_PER_HOUR"] = 5
    campaign = make_campaign()
    age([make_signature(campaign, ip="10.1.0.1")], 5)
    flood(campaign, 8)
    velocity = service.velocity(campaign.id)
    assert set(velocity.alarms) == {"rate", "domain", "network"}
    assert velocity.groups[0].value == "flood.example" and velocity.groups[0].count == 8


def test_invalidating_a_domain_batch_uncounts_only_confirmed_ones(app):
    campaign = make_campaign()
    make_signature(campaign, email="real@example.org", ip="198.51.100.1")
    flood(campaign, 3)
    flood(campaign, 2, domain="flood.example", confirmed=False, name="pending")
    assert count_of(campaign) == 4
    changed = service.invalidate_batch(campaign.id, domain="flood.example",
                                       reason="bot flood", since=utcnow() - timedelta(hours=1))
    assert changed == 5
    assert count_of(campaign) == 1
    rows = db.session.scalars(select(Signature).where(Signature.status == "invalidated")).all()
    assert len(rows) == 5 and {r.invalidation_reason for r in rows} == {"bot flood"}
    # Doing it again changes nothing and does not uncount twice.
    assert service.invalidate_batch(campaign.id, domain="flood.example", reason="x") == 0
    assert count_of(campaign) == 1


def test_invalidating_a_network_batch_respects_the_time_window(app):
    campaign = make_campaign()
    old = flood(campaign, 2, domain="a.example")
    age(old, 48)
    flood(campaign, 3, domain="b.example")
    ip_hash = old[0].ip_hash
    changed = service.invalidate_batch(campaign.id, ip_hash=ip_hash, reason="flood",
                                       since=utcnow() - timedelta(hours=24))
    assert changed == 3 and count_of(campaign) == 2


def test_console_page_shows_alarm_and_invalidates(client, app):
    app.config["ABUSE_VELOCITY_MIN_PER_HOUR"] = 3
    campaign = make_campaign()
    flood(campaign, 4)
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    page = client.get(f"/organize/c/{campaign.slug}/safety")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Unusual activity" in html and "flood.example" in html
    assert "bot0@flood.example" not in html  # groups, never addresses
    response = client.post(f"/organize/c/{campaign.slug}/safety", data={
        "kind": "domain", "value": "flood.example", "hours": "24", "reason": "bots",
        "csrf_token": csrf_from(html)})
    assert response.status_code == 303
    assert "4 signatures were invalidated" in client.get(response.location).get_data(
        as_text=True)
    assert count_of(campaign) == 0


def test_console_page_is_for_the_campaigns_organizers_only(client, app):
    campaign, other = make_campaign(), make_campaign()
    user, password = make_user(campaigns=[other])
    assert client.get(f"/organize/c/{campaign.slug}/safety").status_code in (302, 401)
    login(client, user.email, password)
    assert client.get(f"/organize/c/{campaign.slug}/safety").status_code == 403
    assert client.get("/organize/c/nope/safety").status_code == 404
