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
    assert only("signature_confirm")["Auto-Submitted"] == "auto-generated"
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
                 "donation_receipt", "letters_confirm", "privacy_link"):
        message = only(kind)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", kind
        _one_click_path(message)
    assert only("signature_confirm")["List-Unsubscribe"].strip().startswith(
        "<https://korday.example/unsubscribe/")
    for kind in ("donation_receipt", "letters_confirm", "privacy_link"):
        assert only(kind)["List-Unsubscribe"].strip().startswith(
            "<https://korday.example/unsubscribe/all/"), kind
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


def _check_identity(item, now):
    """Message-ID on the site's domain with a keyed part, a Date of now, the VERP sender."""
    from email.utils import parsedate_to_datetime

    message = item.message
    match = MESSAGE_ID.match(message["Message-ID"])
    assert match, message["Message-ID"]
    sent = parsedate_to_datetime(message["Date"])
    assert abs((sent - now).total_seconds()) < 300, message["Date"]
    assert signing.message_id_from_return_path(item.mail_from) == int(match.group(1))


def test_signer_mail_rendered_at_delivery_has_its_headers_and_data_link_in_kazakh(
        app, sink, client):
    """Every e-mail to a signer (built by the worker at delivery, petitions' renderer, and
    the update queued whole) in the signer's language: one-click headers, Auto-Submitted,
    List-Id on news only, and a working link that removes their signature and data."""
    from datetime import UTC, datetime, timedelta

    app.config["SITE_URL"] = SITE
    now = datetime.now(UTC)
    campaign = make_campaign(locales=("en", "kk"))
    admin, _ = make_user(role="admin", campaigns=[campaign])
    # Confirmation, then thanks (confirmed), then news, then "already signed".
    make_signature(campaign, email="kz@example.org", updates=True, locale="kk")
    item = updates.save(admin, campaign, {"en": {"subject": "News", "body": "Body"},
                                          "kk": {"subject": "Жаңалық", "body": "Мәтін"}})
    updates.send(admin, campaign, item)
    db.session.execute(db.update(Signature).values(last_emailed_at=None))
    db.session.commit()
    petitions.sign(campaign, petitions.SignatureInput(
        full_name="Again", email="kz@example.org", country="KZ", locale="kk"))
    db.session.commit()
    # A second signer who never confirms gets the one reminder.
    pending = make_signature(campaign, email="late@example.org", locale="kk",
                             confirmed=False)
    assert petitions.send_reminders(now=pending.created_at + timedelta(hours=25)) == 1
    db.session.commit()
    while outbox.deliver_batch():
        pass

    kinds = _by_kind(sink)
    expected = {"signature_confirm", "signature_thanks", "campaign_update",
                "signature_already", "signature_reminder"}
    assert set(kinds) == expected
    for kind in expected:
        # The reminder went to the pending signer; each other kind once to the first one.
        to = "late@example.org" if kind == "signature_reminder" else "kz@example.org"
        [received] = [item for item in kinds[kind] if item.rcpt_tos == [to]]
        message = received.message
        _check_identity(received, now)
        assert message["Auto-Submitted"] == "auto-generated", kind
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", kind
        assert _one_click_path(message).startswith("/unsubscribe/"), kind
        assert (message["List-Id"] == f"<{campaign.slug}.korday.example>") is (
            kind == "campaign_update"), kind
        # The footer's removal link, in Kazakh, in both parts, and it opens the page that
        # deletes this very signature.
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Қолтаңбаңызды және барлық деректеріңізді жою" in text, kind
        assert "Қолтаңбаңызды және барлық деректеріңізді жою" in html, kind
        assert "Remove your signature" not in text, kind
        forget = re.search(r"https://korday\.example(/forget/\S+)", text)
        assert forget, (kind, text)
        assert forget.group(1) in html, kind
        page = client.get(forget.group(1))
        assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)


def test_mail_to_organizers_and_institutions_is_marked_automated_without_signer_links(
        app, sink):
    """Invitation, reset, milestone, test update, a paused institution's notice, the daily
    digest to an institution: identity headers and Auto-Submitted, no unsubscribe headers,
    and no footer promising a signer's links (nor a link that leads nowhere)."""
    from datetime import UTC, datetime

    from campaign.milestones import service as milestones

    app.config.update(SITE_URL=SITE, LETTERS_DAILY_CAP_PER_TARGET=0)
    now = datetime.now(UTC)
    campaign = make_campaign()
    admin, _ = make_user(role="admin", campaigns=[campaign], email="admin@example.org")
    organizers.invite(admin, "new@example.org")
    organizers.request_reset("admin@example.org")
    milestones.set_milestones(admin, campaign, [1])
    make_signature(campaign, email="first@example.org")
    item = updates.save(admin, campaign, {"en": {"subject": "News", "body": "Body"}})
    updates.test_send(admin, campaign, item)
    targets.import_csv("short_id,organisation,name,role,email,postal_address,web_url,"
                       "source_url,source_date,languages\nun_min,UN,UN Rapporteur,,"
                       "rapporteur@un.example.org,,,https://s.test/1,2012,en\n")
    body = targets.all_targets()[0]
    targets.mark_verified(body, by=admin)
    letters.install_default_templates(campaign)
    letters.set_campaign_targets(campaign, {body.id}, {body.id})
    subject, text, _template = letters.draft(campaign, "en")
    letters.send_letters(campaign, targets=[body], name="Writer", email="writer@example.org",
                         place="Bishkek", subject=subject, body=text, locale="en")
    while outbox.deliver_batch():
        pass
    [confirm] = _by_kind(sink)["letters_confirm"]
    link = re.search(r"https://korday\.example/letters/confirm/(\S+)",
                     confirm.message.get_body(("plain",)).get_content()).group(1)
    letters.confirm_batch(link)  # over the daily cap of 0: held for the digest
    assert letters.send_digests() == {"un_min": 1}
    for _number in range(app.config["TARGET_PAUSE_AFTER_BOUNCES"]):
        suppression.record_bounce("rapporteur@un.example.org", hard=True, status="5.1.1",
                                  source="dsn")
    db.session.commit()
    while outbox.deliver_batch():
        pass

    kinds = _by_kind(sink)
    for kind in ("organizer_invite", "organizer_reset", "milestone_reached",
                 "campaign_update_test", "letters_digest", "target_bounced"):
        assert kind in kinds, kind
        for received in kinds[kind]:
            message = received.message
            _check_identity(received, now)
            assert message["Auto-Submitted"] == "auto-generated", kind
            if kind == "campaign_update_test":
                continue  # the organizer's preview of the update, footer and all
            assert message["List-Unsubscribe"] is None, kind
            assert message["List-Id"] is None, kind
            html = message.get_body(("html",)).get_content()
            text = message.get_body(("plain",)).get_content()
            assert 'href=""' not in html and "href=''" not in html, kind
            assert "Remove your signature" not in html + text, kind


def test_a_sweep_of_reminders_does_not_hold_up_a_new_confirmation(app):
    from datetime import timedelta

    campaign = make_campaign()
    pending = [make_signature(campaign, confirmed=False) for _ in range(4)]
    db.session.execute(db.update(OutboxMessage).values(status="sent"))  # their confirmations
    db.session.commit()
    assert petitions.send_reminders(now=pending[-1].created_at + timedelta(hours=25)) == 4
    outbox.enqueue(kind="campaign_update", to="n@example.org", subject="s", body_text="b",
                   priority=outbox.PRIORITY_BULK)
    make_signature(campaign, email="new@example.org", confirmed=False)
    claimed = outbox.claim_batch(6)
    assert [row.kind for row in claimed] == ["signature_confirm"] + ["signature_reminder"] * 4 \
        + ["campaign_update"]
    assert claimed[0].to_addr == "new@example.org"


def test_configured_message_id_domain_and_bounce_address(app, sink):
    app.config.update(SITE_URL=SITE, MAIL_MESSAGE_ID_DOMAIN="mail.korday.example",
                      MAIL_BOUNCE_ADDRESS="returns@korday.example")
    outbox.enqueue(kind="test", to="reader@example.org", subject="s", body_text="b")
    db.session.commit()
    outbox.deliver_batch()
    [item] = sink.received
    match = re.fullmatch(r"<outbox-(\d+)\.[0-9a-f]{16}@mail\.korday\.example>",
                         item.message["Message-ID"])
    assert match
    assert re.fullmatch(rf"returns\+{match.group(1)}-[0-9a-f]{{10}}@korday\.example",
                        item.mail_from)
    assert signing.message_id_from_return_path(item.mail_from) == int(match.group(1))
