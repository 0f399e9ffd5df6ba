"""After confirming: a thank-you page and e-mail with next steps, in the signer's language;
one reminder to a signer who has not confirmed after 24 hours, never more."""
import re
from datetime import timedelta

from sqlalchemy import select

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from campaign.targets import service as targets
from campaign.util import utcnow
from tests.factories import make_campaign
from tests.petitions.test_signing import deliver_and_get_link, sign

NETWORKS = ("telegram", "whatsapp", "x", "facebook", "vk", "email")


def with_targets_and_giving(app):
    targets.load_starting_set()
    app.config["DONATION_OFFLINE_INSTRUCTIONS"] = "Bank transfer: IBAN KZ00 0000 0000 0000"


def messages_of(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_thank_you_page_and_email_in_the_signers_language(client, app, sent_mail):
    with_targets_and_giving(app)
    campaign = make_campaign(locales=("en", "ru"))
    sign(client, campaign, lang="ru")
    link = deliver_and_get_link(sent_mail)
    page = client.get(link).get_data(as_text=True)
    assert "Что можно сделать дальше" in page
    assert f'href="http://campaign.test/ru/c/{campaign.slug}/letters"' in page
    assert f'href="http://campaign.test/ru/c/{campaign.slug}/donate"' in page
    for network in NETWORKS:
        assert f'class="share-{network}"' in page
    assert "t.me/share/url?url=http%3A%2F%2Fcampaign.test%2Fru%2Fc%2F" in page
    assert "What you can do next" not in page

    outbox.work(once=True)
    thanks = sent_mail()[-1]
    assert thanks["To"] == "aisha@example.org"
    assert f"Title {campaign.slug} ru" in thanks["Subject"] and "подтверждена" in thanks["Subject"]
    body = thanks.get_body(("plain",)).get_content()
    html = thanks.get_body(("html",)).get_content()
    for text in (body, html):
        assert "Что можно сделать дальше" in text
        assert f"/ru/c/{campaign.slug}/letters" in text and f"/ru/c/{campaign.slug}/donate" in text
        assert "https://t.me/share/url?" in text and "https://wa.me/?" in text
        assert "/forget/" in text and "What you can do" not in text
    assert "Здравствуйте, Aisha Vanahun" in body or "Aisha Vanahun" in body

    # A second click on the link thanks nobody again.
    client.get(link)
    outbox.work(once=True)
    assert len(messages_of("signature_thanks")) == 1


def test_without_institutions_or_a_way_to_give_only_sharing_is_offered(client, app, sent_mail):
    campaign = make_campaign()
    sign(client, campaign)
    page = client.get(deliver_and_get_link(sent_mail)).get_data(as_text=True)
    assert "What you can do next" not in page and 'class="share-telegram"' in page
    outbox.work(once=True)
    body = sent_mail()[-1].get_body(("plain",)).get_content()
    assert "What you can do next" not in body and "https://t.me/share/url?" in body


def test_one_reminder_after_24_hours_never_more(client, app, sent_mail):
    campaign = make_campaign(locales=("en", "kk"))
    sign(client, campaign, lang="kk")
    sign(client, campaign, email="done@example.org")
    outbox.work(once=True)
    done = db.session.scalar(select(Signature).where(Signature.email == "done@example.org"))
    petitions.confirm(petitions.signature_token("confirm", done))
    signed_at = db.session.scalar(select(Signature.created_at).where(
        Signature.email == "aisha@example.org"))

    assert petitions.send_reminders(now=signed_at + timedelta(hours=23)) == 0
    assert petitions.send_reminders(now=signed_at + timedelta(hours=25)) == 1
    assert petitions.send_reminders(now=signed_at + timedelta(hours=26)) == 0
    assert petitions.send_reminders(now=signed_at + timedelta(days=5)) == 0
    outbox.work(once=True)
    reminders = [m for m in sent_mail() if m["To"] == "aisha@example.org"][1:]
    assert len(reminders) == 1
    body = reminders[0].get_body(("plain",)).get_content()
    assert "Еске салу" in reminders[0]["Subject"]
    link = re.search(r"http://campaign\.test(/confirm/\S+)", body).group(1)
    assert client.get(link).status_code == 200
    assert len(messages_of("signature_reminder")) == 1


def test_no_reminder_for_a_closed_campaign_or_an_expired_link(client, app, sent_mail):
    campaign = make_campaign()
    sign(client, campaign)
    signed_at = db.session.scalar(select(Signature.created_at))
    days = app.config["CONFIRM_MAX_AGE_DAYS"]
    assert petitions.send_reminders(now=signed_at + timedelta(days=days + 1)) == 0
    campaign.status = "closed"
    db.session.commit()
    assert petitions.send_reminders(now=signed_at + timedelta(hours=25)) == 0


def test_remind_command(client, app, sent_mail):
    campaign = make_campaign()
    sign(client, campaign)
    signature = db.session.scalar(select(Signature))
    signature.created_at = signature.last_emailed_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    runner = app.test_cli_runner()
    assert "1 reminder(s) queued" in runner.invoke(args=["petitions", "remind"]).output
    assert "0 reminder(s) queued" in runner.invoke(args=["petitions", "remind"]).output
