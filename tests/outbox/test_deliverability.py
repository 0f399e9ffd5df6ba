"""Mail that inboxes trust, checked on what a real SMTP server (aiosmtpd on loopback) receives:
identity headers on each kind of mail, RFC 8058 one-click unsubscribe without a cookie, the
VERP return path, priorities and the per-domain rate."""
from __future__ import annotations

import re

from sqlalchemy import select

from campaign import emails
from campaign.extensions import db
from campaign.letters import service as letters
from campaign.organizers import service as organizers
from campaign.outbox import service as outbox
from campaign.outbox import signing, suppression
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service as petitions
from campaign.petitions.console import updates
from campaign.petitions.models import Signature
from campaign.privacy import service as privacy
from campaign.targets import service as targets
from tests.donations.conftest import event, make_donation, post_event, session_completed
from tests.factories import make_campaign, make_signature, make_user

SITE = "https://korday.example"
MESSAGE_ID = re.compile(r"^<outbox-(\d+)\.[0-9a-f]{16}@korday\.example>$")


def _by_kind(sink):
    """{kind: received envelope}, the kind told by the outbox row behind the Message-ID."""
    found = {}
    for item in sink.received:
        row_id = int(MESSAGE_ID.match(item.message["Message-ID"]).group(1))
        found.setdefault(db.session.get(OutboxMessage, row_id).kind, []).append(item)
    return found


def _one_click_path(message) -> str:
    url = re.fullmatch(r"<(https://korday\.example(/\S+))>", message["List-Unsubscribe"].strip())
    assert url, message["List-Unsubscribe"]
    return url.group(2)


def test_every_kind_of_mail_carries_the_right_headers(app, sink, client, stripe_app):
    app.config["SITE_URL"] = SITE
    campaign = make_campaign(locales=("en", "ru"))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    # A signer asking for news: a confirmation, then an update, then "already signed".
    make_signature(campaign, email="signer@example.org", updates=True, confirmed=True,
                   locale="ru")
    item = updates.save(admin, campaign, {"en": {"subject": "News", "body": "Body"},
                                          "ru": {"subject": "Новости", "body": "Текст"}})
    updates.send(admin, campaign, item)
    db.session.execute(db.update(Signature).values(last_emailed_at=None))
    db.session.commit()
    petitions.sign(campaign, petitions.SignatureInput(
        full_name="Again", email="signer@example.org", country="KZ", locale="ru"))
    db.session.commit()
    # A donor, a letter writer, the institution, a data request, an invitation.
    donation = make_donation(campaign, amount="25", locale="ru")
    assert post_event(client, event("checkout.session.completed", session_completed(
        donation, amount_minor=2500, email="donor@example.org"))).status_code == 200
    targets.import_csv("short_id,organisation,name,role,email,postal_address,web_url,"
                       "source_url,source_date,languages\nun_min,UN,UN Rapporteur,,"
                       "rapporteur@un.example.org,,,https://s.test/1,2012,en\n")
    body = targets.all_targets()[0]
    targets.mark_verified(body, by=admin)  # letters to unchecked addresses wait
    letters.install_default_templates(campaign)
    letters.set_campaign_targets(campaign, {body.id}, {body.id})
    subject, text, _template = letters.draft(campaign, "en")
    letters.send_letters(campaign, targets=[body], name="Writer", email="writer@example.org",
                         place="Bishkek", subject=subject, body=text, locale="en")
    privacy.request_data_link("signer@example.org", "ru")
    organizers.invite(admin, "new@example.org")
    while outbox.deliver_batch():
        pass
    # The letter writer clicks the link: the letter leaves for the institution.
    [confirm] = _by_kind(sink)["letters_confirm"]
    link = re.search(r"https://korday\.example(/letters/confirm/\S+)",
                     confirm.message.get_body(("plain",)).get_content()).group(1)
    assert client.get(link).status_code == 200
    while outbox.deliver_batch():
        pass

    kinds = _by_kind(sink)
    assert set(kinds) >= {"signature_confirm", "campaign_update", "signature_already",
                          "donation_receipt", "letters_confirm", "letters_letter",
                          "privacy_link", "organizer_invite"}
    ids = set()
    for kind, items in kinds.items():
        for item in items:
            message = item.message
            row_id = int(MESSAGE_ID.match(message["Message-ID"]).group(1))
            ids.add(message["Message-ID"])
            assert message["Date"], kind
            # VERP: the envelope sender names this very message, signed.
            assert re.fullmatch(rf"bounces\+{row_id}-[0-9a-f]{{10}}@localhost",
                                item.mail_from), (kind, item.mail_from)
            assert signing.message_id_from_return_path(item.mail_from) == row_id
    assert len(ids) == len(sink.received)  # no two messages share an id

    def only(kind):
        [item] = kinds[kind]
        return item.message

    # Automated mail says so; a supporter's own letter is not marked automated.
    assert only("signature_confirm")["Auto-Submitted"] == "auto-replied"
    assert only("donation_receipt")["Auto-Submitted"] == "auto-generated"
    assert only("organizer_invite")["Auto-Submitted"] == "auto-generated"
    assert only("campaign_update")["Auto-Submitted"] == "auto-generated"
    assert only("letters_letter")["Auto-Submitted"] is None
    # List-Id only on news, per campaign.
    assert only("campaign_update")["List-Id"] == f"<{campaign.slug}.korday.example>"
    assert only("signature_confirm")["List-Id"] is None
    # One-click unsubscribe on every mail to a signer, donor or letter writer; not to the
    # institution or an organizer.
    for kind in ("signature_confirm", "signature_already", "campaign_update",
                 "donation_receipt", "letters_confirm"):
        message = only(kind)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", kind
        _one_click_path(message)
    assert only("signature_confirm")["List-Unsubscribe"].strip().startswith(
        "<https://korday.example/unsubscribe/")
    assert only("donation_receipt")["List-Unsubscribe"].strip().startswith(
        "<https://korday.example/unsubscribe/all/")
    for kind in ("letters_letter", "organizer_invite"):
        assert only(kind)["List-Unsubscribe"] is None, kind
    # The data link the site footer promises, in the receipt and the letters confirmation.
    for kind, shown in (("donation_receipt", "25.00 EUR"), ("letters_confirm", "UN Rapporteur")):
        message = only(kind)
        text = message.get_body(("plain",)).get_content()
        link = re.search(r"https://korday\.example(/privacy/data/\S+)", text)
        assert link, kind
        assert link.group(1) in message.get_body(("html",)).get_content()
        page = client.get(link.group(1))
        assert page.status_code == 200 and shown in page.get_data(as_text=True), kind
    # The Russian receipt's footer is in Russian.
    receipt_text = only("donation_receipt").get_body(("plain",)).get_content()
    assert "Copy or delete" not in receipt_text


def test_one_click_unsubscribe_needs_no_cookie_and_no_csrf_token(app, sink):
    app.config["SITE_URL"] = SITE
    campaign = make_campaign()
    signature = make_signature(campaign, email="reader@example.org", updates=True)
    while outbox.deliver_batch():
        pass
    path = _one_click_path(sink.received[-1].message)
    fresh = app.test_client(use_cookies=False)
    # GET still shows the page that asks.
    page = fresh.get(path)
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    db.session.refresh(signature)
    assert signature.updates_opt_in is True
    # A POST that is not the one-click body still needs its CSRF token...
    refused = fresh.post(path, data={"List-Unsubscribe": "Something"})
    assert refused.status_code == 400
    assert "Your form expired" in refused.get_data(as_text=True)
    db.session.refresh(signature)
    assert signature.updates_opt_in is True
    # ... the one-click one does not: the token in the URL is the credential.
    done = fresh.post(path, data="List-Unsubscribe=One-Click",
                      content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    assert "Set-Cookie" not in done.headers
    db.session.refresh(signature)
    assert signature.updates_opt_in is False
    # A forged token is still refused.
    forged = fresh.post(path[:-3] + "abc", data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code in (400, 404, 410)


def test_one_click_from_a_receipt_stops_news_to_that_address_but_not_confirmations(
        app, sink):
    app.config["SITE_URL"] = SITE
    campaign = make_campaign()
    admin, _ = make_user(role="admin", campaigns=[campaign])
    links = emails.address_links("Donor+tag@Example.org")
    path = links["unsubscribe_all_url"].removeprefix(SITE)
    fresh = app.test_client(use_cookies=False)
    assert fresh.get(path).status_code == 200
    assert fresh.post(path, data={}).status_code == 400  # no CSRF, not one-click
    assert fresh.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert suppression.is_suppressed("donor@example.org", bulk=True)
    assert not suppression.is_suppressed("donor@example.org")
    make_signature(campaign, email="donor@example.org", updates=True)
    item = updates.save(admin, campaign, {"en": {"subject": "News", "body": "Body"}})
    # The update leaves the suppressed address out of its audience (nothing is rendered for
    # it); news queued to it another way is still stopped by the outbox.
    assert updates.send(admin, campaign, item) == 0
    emails.queue_email("campaign_update", to="donor@example.org", lang="en",
                       campaign=campaign, subject="News", body_html="<p>Body</p>",
                       body_text="Body", campaign_title="T", unsubscribe_url="#",
                       forget_url="#")
    db.session.commit()
    while outbox.deliver_batch():
        pass
    kinds = _by_kind(sink)
    assert "signature_confirm" in kinds  # what the reader asked for still comes
    assert "campaign_update" not in kinds  # news does not
    update_row = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "campaign_update"))
    assert update_row.status == "failed" and update_row.last_error.startswith("suppressed")
    # A bad token is refused, not a 500.
    assert fresh.post("/unsubscribe/all/nonsense",
                      data={"List-Unsubscribe": "One-Click"}).status_code == 400


def test_confirmations_go_before_a_queue_of_updates(app):
    for number in range(30):
        outbox.enqueue(kind="campaign_update", to=f"n{number}@example.org", subject="s",
                       body_text="b", priority=outbox.PRIORITY_BULK)
    urgent = outbox.enqueue(kind="signature_confirm", to="new@example.org", subject="s",
                            body_text="b")
    db.session.commit()
    claimed = outbox.claim_batch(5)
    assert claimed[0].id == urgent.id
    assert [row.priority for row in claimed[1:]] == [outbox.PRIORITY_BULK] * 4


def test_per_domain_rate_holds_the_rest_back_without_counting_an_attempt(app, sink):
    app.config["OUTBOX_DOMAIN_RATE_LIMIT"] = "2/minute"
    for number in range(5):
        outbox.enqueue(kind="test", to=f"r{number}@big.example", subject="s", body_text="b")
    outbox.enqueue(kind="test", to="other@small.example", subject="s", body_text="b")
    db.session.commit()
    outbox.deliver_batch()
    assert sorted(r for item in sink.received for r in item.rcpt_tos) == [
        "other@small.example", "r0@big.example", "r1@big.example"]
    waiting = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == "queued")).all()
    assert len(waiting) == 3 and all(row.attempts == 0 for row in waiting)
    assert outbox.deliver_batch() == 0  # not due yet


def test_a_worker_keeps_one_smtp_session_from_batch_to_batch(app, sink):
    app.config["OUTBOX_BATCH_SIZE"] = 2
    for number in range(5):
        outbox.enqueue(kind="test", to=f"r{number}@example.org", subject="s", body_text="b")
    db.session.commit()
    assert outbox.work(once=True) == 5
    assert len(sink.received) == 5
    assert len({item.peer for item in sink.received}) == 1  # three batches, one connection
    # A later run opens its own session (the last one was closed when the worker stopped).
    outbox.enqueue(kind="test", to="late@example.org", subject="s", body_text="b")
    db.session.commit()
    outbox.work(once=True)
    assert sink.received[-1].peer != sink.received[0].peer


def test_message_ids_are_stable_per_message_and_differ_between_installations(app, sink):
    app.config["SITE_URL"] = SITE
    outbox.enqueue(kind="test", to="reader@example.org", subject="s", body_text="b")
    db.session.commit()
    row = db.session.scalar(select(OutboxMessage))
    first = signing.message_id(row, "korday.example")
    assert MESSAGE_ID.match(first) and signing.message_id(row, "korday.example") == first
    outbox.deliver_batch()
    assert sink.received[0].message["Message-ID"] == first  # a retry would send the same id
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another installation"
    try:
        assert signing.message_id(row, "korday.example") != first
    finally:
        app.config["SECRET_KEY"] = secret


def test_the_access_log_hides_the_address_wide_unsubscribe_token():
    from campaign.gunicorn_conf import _TOKEN_PATH

    for path in ("/unsubscribe/all/SECRET.TOKEN", "/unsubscribe/SECRET.TOKEN"):
        assert "SECRET" not in _TOKEN_PATH.sub(r"/\1/…", path)
