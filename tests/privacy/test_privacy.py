"""A signer gets a copy of their data and deletes it by an e-mailed link; old data is purged."""
import json
import logging
import re
from datetime import timedelta

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.i18n import INTERFACE_LANGUAGES
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions.models import Signature
from campaign.privacy import service
from campaign.security import mask_emails
from campaign.util import utcnow
from tests.factories import make_campaign, make_signature
from tests.forms_util import hidden_inputs


def ask_for_data(client, address, lang="en"):
    page = client.get(f"/{lang}/privacy").get_data(as_text=True)
    return client.post(f"/{lang}/privacy", data={"email": address, **hidden_inputs(page)})


def link_from_mail(sent_mail):
    outbox.work(once=True)
    body = sent_mail()[-1].get_body(("plain",)).get_content()
    return re.search(r"http://campaign\.test(/privacy/data/\S+)", body).group(1)


def test_privacy_page_exists_in_every_language(client, app):
    for lang in INTERFACE_LANGUAGES:
        page = client.get(f"/{lang}/privacy")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f'lang="{"zh-Hans" if lang == "zh" else lang}"' in html
        assert 'name="email"' in html
    assert "never store your IP address" in client.get("/en/privacy").get_data(as_text=True)


def test_answer_is_the_same_for_known_and_unknown_addresses(client, app, sent_mail):
    campaign = make_campaign()
    make_signature(campaign, email="known@example.org")
    outbox.work(once=True)
    before = len(sent_mail())
    known = ask_for_data(client, "known@example.org")
    unknown = ask_for_data(client, "stranger@example.org")
    assert known.status_code == unknown.status_code == 303
    assert known.location == unknown.location
    outbox.work(once=True)
    assert [m["To"] for m in sent_mail()[before:]] == ["known@example.org"]


def test_the_link_shows_downloads_and_deletes_everything(client, app, sent_mail):
    first, second = make_campaign(), make_campaign()
    make_signature(first, email="a.b+x@gmail.com", full_name="Dana Example",
                   comment="My words", ref="leaflet")
    make_signature(second, email="ab@gmail.com", full_name="Dana Example")
    make_signature(first, email="other@example.org")
    ask_for_data(client, "AB@gmail.com")
    link = link_from_mail(sent_mail)

    page = client.get(link).get_data(as_text=True)
    assert "Dana Example" in page and "My words" in page
    exported = client.get(link + "/export.json")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(exported.get_data(as_text=True))
    assert sorted(s["campaign"] for s in data["signatures"]) == sorted([first.slug, second.slug])
    assert data["signatures"][0]["email"] == "a.b+x@gmail.com"
    by_campaign = {s["campaign"]: s for s in data["signatures"]}
    assert (by_campaign[first.slug]["link_tag"], by_campaign[first.slug]["partner_opt_in"]) \
        == ("leaflet", False)
    assert "other@example.org" not in exported.get_data(as_text=True)

    deleted = client.post(link + "/delete", data={"csrf_token": hidden_inputs(page)[
        "csrf_token"]})
    assert deleted.status_code == 200 and "2 records were removed" in deleted.get_data(
        as_text=True)
    emails = db.session.scalars(select(Signature.email)).all()
    assert emails == ["other@example.org"]
    db.session.expire_all()
    assert db.session.get(type(first), first.id).signature_count == 1


def test_tampered_and_expired_data_links_give_a_clear_page(client, app, sent_mail):
    make_signature(make_campaign(), email="t@example.org")
    ask_for_data(client, "t@example.org")
    link = link_from_mail(sent_mail)
    tampered = client.get(link[:-3] + "xyz")
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)
    app.config["PRIVACY_LINK_MAX_AGE_HOURS"] = -1
    expired = client.get(link)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_purge_anonymises_delivered_campaigns_after_their_retention(app):
    delivered = make_campaign()
    recent = make_campaign()
    for campaign in (delivered, recent):
        make_signature(campaign, email=f"x@{campaign.slug}.org", comment="hello", country="FR")
        make_signature(campaign, email=f"y@{campaign.slug}.org", confirmed=False)
    delivered.status, delivered.delivered_at = "delivered", utcnow() - timedelta(days=40)
    recent.status, recent.delivered_at = "delivered", utcnow() - timedelta(days=5)
    db.session.commit()
    service.set_retention(delivered.id, 30)
    service.set_retention(recent.id, 30)

    assert service.purge() == {delivered.slug: 2}
    rows = db.session.scalars(select(Signature).where(
        Signature.campaign_id == delivered.id).order_by(Signature.id)).all()
    assert [(r.full_name, r.email, r.comment, r.ip_hash) for r in rows] == [
        ("", "", None, None)] * 2
    assert [(r.country, r.status) for r in rows] == [("FR", "confirmed"), ("KZ", "pending")]
    db.session.expire_all()
    assert db.session.get(type(delivered), delivered.id).signature_count == 1
    assert db.session.scalar(select(func.count()).select_from(Signature).where(
        Signature.campaign_id == recent.id, Signature.email != "")) == 2
    assert service.purge() == {}  # idempotent


def test_purge_command(app):
    campaign = make_campaign()
    make_signature(campaign)
    campaign.status, campaign.delivered_at = "delivered", utcnow() - timedelta(days=400)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert "1 signature(s) anonymised" in result.output


def test_emails_and_hidden_names_never_on_public_pages(client, app):
    campaign = make_campaign()
    make_signature(campaign, email="secret.person@example.org", full_name="Hidden Person",
                   display="anonymous")
    make_signature(campaign, email="half@example.org", full_name="Kanat Zhumabek Uly",
                   display="initial")
    for url in ("/en/", f"/en/c/{campaign.slug}", f"/en/c/{campaign.slug}/thanks"):
        html = client.get(url).get_data(as_text=True)
        assert "@example.org" not in html and "Hidden Person" not in html
        assert "Zhumabek" not in html
    assert "Kanat Z. U." in client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)


def test_log_lines_never_hold_an_email_address(client, app, caplog):
    assert mask_emails("to aisha.v@example.org now") == "to a***@e***.org now"
    with caplog.at_level(logging.INFO):
        logging.getLogger("campaign.test").warning("sending to %s", "dana@example.org")
        app.config["MAIL_TRANSPORT"] = "files"
        make_signature(make_campaign(), email="filed@example.org")
        outbox.work(once=True)
    assert "dana@example.org" not in caplog.text and "d***@e***.org" in caplog.text
    assert "filed@example.org" not in caplog.text
    # The confirmation and, since issue 14, the thank-you e-mail after confirming.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_organizer_sets_the_retention_period_in_the_console(client, app):
    from tests.conftest import csrf_from, login
    from tests.factories import make_user

    campaign, other = make_campaign(), make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    home = client.get(f"/organize/c/{campaign.slug}/").get_data(as_text=True)
    assert f"/organize/c/{campaign.slug}/privacy" in home
    page = client.get(f"/organize/c/{campaign.slug}/privacy").get_data(as_text=True)
    assert 'value="180"' in page
    response = client.post(f"/organize/c/{campaign.slug}/privacy",
                           data={"days": "30", "csrf_token": csrf_from(page)})
    assert response.status_code == 200 and service.retention_days(campaign.id) == 30
    assert client.post(f"/organize/c/{campaign.slug}/privacy", data={
        "days": "-5", "csrf_token": csrf_from(page)}).status_code == 422
    assert client.get(f"/organize/c/{other.slug}/privacy").status_code == 403
