"""A supporter reads a campaign, signs, confirms by e-mail, and is counted."""
import re

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions.models import Signature
from tests.conftest import csrf_from
from tests.factories import make_campaign, make_signature

FORM = {"full_name": "Aisha Vanahun", "email": "aisha@example.org", "country": "KZ",
        "comment": "Free them", "display": "full", "updates": "y"}


def sign(client, campaign, lang="en", token_from=None, **changes):
    page = client.get(f"/{lang}/c/{(token_from or campaign).slug}")
    data = dict(FORM, csrf_token=csrf_from(page.get_data(as_text=True)), **changes)
    return client.post(f"/{lang}/c/{campaign.slug}/sign", data=data)


def deliver_and_get_link(sent_mail, kind="confirm"):
    outbox.work(once=True)
    body = sent_mail()[-1].get_body(("plain",)).get_content()
    return re.search(rf"http://campaign\.test(/{kind}/\S+)", body).group(1)


def count_of(campaign):
    db.session.expire_all()
    return db.session.get(type(campaign), campaign.id).signature_count


def test_campaign_page_shows_text_count_progress_and_form(client, app):
    campaign = make_campaign(goal=10)
    make_signature(campaign, full_name="Visible Person")
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert f"Title {campaign.slug} en" in page
    assert 'data-count="1"' in page
    assert '<progress max="10" value="1"' in page
    assert "Visible Person" in page
    for name in ("full_name", "email", "country", "comment", "display", "updates",
                 "csrf_token"):
        assert f'name="{name}"' in page
    assert "<strong>en</strong>" in page  # the Markdown body is rendered


def test_sign_confirm_and_count(client, app, sent_mail):
    campaign = make_campaign()
    response = sign(client, campaign)
    assert response.status_code == 303
    thanks = client.get(response.location)
    assert "Check your inbox" in thanks.get_data(as_text=True)
    signature = db.session.scalar(select(Signature))
    assert signature.status == "pending" and signature.email_key == "aisha@example.org"
    assert signature.ip_hash and "127.0.0.1" not in signature.ip_hash
    assert count_of(campaign) == 0

    link = deliver_and_get_link(sent_mail)
    message = sent_mail()[-1]
    assert message["To"] == "aisha@example.org"
    assert "/unsubscribe/" in message.get_body(("plain",)).get_content()
    assert "/forget/" in message.get_body(("plain",)).get_content()
    assert message["List-Unsubscribe"].strip().startswith("<http://campaign.test/unsubscribe/")

    first = client.get(link)
    assert first.status_code == 200 and "your signature is confirmed" in first.get_data(
        as_text=True)
    assert count_of(campaign) == 1
    second = client.get(link)
    assert "already confirmed" in second.get_data(as_text=True)
    assert count_of(campaign) == 1
    assert 'data-count="1"' in client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)


def test_signing_twice_makes_one_signature_and_answers_the_same(client, app, sent_mail):
    campaign = make_campaign()
    first = sign(client, campaign)
    link = deliver_and_get_link(sent_mail)
    client.get(link)
    # A different spelling of the same Gmail address is the same person.
    db.session.execute(db.update(Signature).values(last_emailed_at=None))
    db.session.commit()
    second = sign(client, campaign, email="Ai.sha+petition@Gmail.com")
    third = sign(client, campaign, email="aisha@example.org")
    assert first.status_code == second.status_code == third.status_code == 303
    assert first.location == second.location == third.location
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 2
    outbox.work(once=True)
    subjects = [m["Subject"] for m in sent_mail()]
    assert subjects[-1].startswith("You have already signed")
    assert count_of(campaign) == 1


def test_invalid_form_rerenders_with_errors_and_values(client, app):
    campaign = make_campaign()
    response = sign(client, campaign, email="not-an-address", country="XX",
                    full_name="Keep Me")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please enter a valid e-mail address." in page
    assert "Please choose your country." in page
    assert 'value="Keep Me"' in page and 'value="not-an-address"' in page
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_closed_campaign_takes_no_signatures(client, app):
    campaign = make_campaign(status="closed")
    assert 'name="full_name"' not in client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    response = sign(client, campaign, token_from=make_campaign())
    assert response.status_code == 403
    assert "closed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_draft_and_unknown_campaigns_are_404(client, app):
    draft = make_campaign(status="draft")
    assert client.get(f"/en/c/{draft.slug}").status_code == 404
    assert client.get("/en/c/no-such-campaign").status_code == 404
    assert client.get("/xx/c/no-such-campaign").status_code == 404


def test_forget_deletes_data_and_uncounts(client, app, sent_mail):
    campaign = make_campaign()
    sign(client, campaign)
    client.get(deliver_and_get_link(sent_mail))
    assert count_of(campaign) == 1
    link = re.search(r"http://campaign\.test(/forget/\S+)",
                     sent_mail()[-1].get_body(("plain",)).get_content()).group(1)
    page = client.get(link)
    assert "Remove your signature?" in page.get_data(as_text=True)
    assert count_of(campaign) == 1  # a GET (a mail scanner following links) changes nothing
    done = client.post(link, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert "deleted" in done.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0
    assert count_of(campaign) == 0
    assert client.get(link).status_code == 404


def test_unsubscribe_keeps_the_signature(client, app, sent_mail):
    campaign = make_campaign()
    sign(client, campaign)
    outbox.work(once=True)
    link = re.search(r"http://campaign\.test(/unsubscribe/\S+)",
                     sent_mail()[-1].get_body(("plain",)).get_content()).group(1)
    page = client.get(link)
    client.post(link, data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    signature = db.session.scalar(select(Signature))
    db.session.refresh(signature)
    assert signature.updates_opt_in is False and signature.status == "pending"


def test_tampered_and_expired_links_get_clear_pages(client, app, sent_mail):
    campaign = make_campaign()
    sign(client, campaign)
    link = deliver_and_get_link(sent_mail)
    tampered = client.get(link[:-3] + "abc")
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)
    app.config["CONFIRM_MAX_AGE_DAYS"] = -1
    expired = client.get(link)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert count_of(campaign) == 0


def test_missing_csrf_token_is_a_clear_400(client, app):
    campaign = make_campaign()
    response = client.post(f"/en/c/{campaign.slug}/sign", data=FORM)
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_recent_signers_respect_display_choice(client, app):
    campaign = make_campaign()
    make_signature(campaign, full_name="Full Shown", display="full")
    make_signature(campaign, full_name="Initial Person", display="initial")
    make_signature(campaign, full_name="Secret Person", display="anonymous")
    make_signature(campaign, full_name="Pending Person", confirmed=False)
    page = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assert "Full Shown" in page
    assert "Initial P." in page and "Initial Person" not in page
    assert "Secret Person" not in page and "Anonymous" in page
    assert "Pending Person" not in page
