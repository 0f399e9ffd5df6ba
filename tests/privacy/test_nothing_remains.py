"""Erasure and purge leave nothing of the person; links go to the address we hold; no link's
token is ever written to a log line."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import String, Text, select

from campaign import gunicorn_conf
from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions import service as petitions
from campaign.privacy import service
from campaign.tokens import ExpiredToken, InvalidToken, make_token, read_token
from tests.factories import make_campaign, make_signature, make_user


def _rows_mentioning(*needles: str) -> list[tuple[str, str]]:
    """(table, column) of every text cell in the database that contains a needle."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, (String, Text)):
                continue
            for needle in needles:
                hit = db.session.execute(select(column).where(
                    column.ilike(f"%{needle}%")).limit(1)).first()
                if hit:
                    found.append((table.name, column.name))
    return found


def test_the_privacy_link_goes_to_the_stored_address_not_the_typed_one(app, sent_mail):
    make_signature(make_campaign(), email="aisha.v@gmail.com")
    outbox.work(once=True)
    assert service.request_data_link("Aisha.V+anything@GMAIL.com", "en")
    message = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "privacy_link")).one()
    assert message.to_addr == "aisha.v@gmail.com"


def test_erasure_leaves_nothing_of_the_person(app):
    campaign = make_campaign()
    make_signature(campaign, email="dana.q@example.org", full_name="Dana Quokkason",
                   comment="Justice for Korday")
    make_signature(campaign, email="other@example.org", full_name="Other Person")
    outbox.work(once=True)  # the confirmation e-mail was sent: our copy holds name and address
    make_signature(make_campaign(), email="dana.q@example.org", full_name="Dana Quokkason",
                   confirmed=False)  # and one still queued
    assert _rows_mentioning("dana.q@example.org", "Quokkason")
    counts = service.erase(service.email_key_of("dana.q@example.org"))
    assert counts["signatures"] == 2
    assert _rows_mentioning("dana.q@example.org", "Quokkason", "dana.q") == []
    assert _rows_mentioning("other@example.org")  # nobody else's data went
    # The tombstoned queued e-mail is never sent.
    assert outbox.work(once=True) == 0


def test_purge_also_tombstones_the_outbox_copies(app):
    from datetime import timedelta

    from campaign.util import utcnow
    campaign = make_campaign()
    make_signature(campaign, email="old.signer@example.org", full_name="Old Signer")
    outbox.work(once=True)
    campaign.status, campaign.delivered_at = "delivered", utcnow() - timedelta(days=400)
    db.session.commit()
    service.set_retention(campaign.id, 30)
    assert service.purge() == {campaign.slug: 1}
    assert _rows_mentioning("old.signer@example.org", "Old Signer") == []


def test_purge_also_erases_letters_and_stored_dossiers(app):
    from datetime import timedelta

    from campaign.letters.models import DossierJob, Letter
    from campaign.targets.models import Target
    from campaign.util import utcnow
    campaign = make_campaign()
    make_signature(campaign, email="writer@example.org", full_name="Letter Writer")
    outbox.work(once=True)  # a queued e-mail still goes out; sent copies are erased
    target = Target(short_id="un_x", organisation="UN", name="UN body", role="",
                    email="body@un.example.org", languages="en", source_url="https://s.example/1")
    db.session.add(target)
    db.session.flush()
    db.session.add(Letter(campaign_id=campaign.id, target_id=target.id, batch="b1",
                          sender_name="Letter Writer", sender_email="writer@example.org",
                          sender_place="Masanchi", locale="en", subject="From Letter Writer",
                          body="I, Letter Writer of Masanchi, ask you...", status="queued"))
    db.session.add(DossierJob(campaign_id=campaign.id, locale="en", status="sent",
                              pdf=b"%PDF-1.4 Letter Writer", signed_by="Organizer"))
    campaign.status, campaign.delivered_at = "delivered", utcnow() - timedelta(days=400)
    db.session.commit()
    service.set_retention(campaign.id, 30)
    service.purge()
    assert _rows_mentioning("writer@example.org", "Letter Writer", "Masanchi") == []
    assert db.session.scalar(select(DossierJob.pdf)) is None
    assert db.session.scalar(select(Letter.status)) == "queued"  # that it went is kept


def test_donor_manage_links_expire_after_30_days(app, monkeypatch):
    import time

    from campaign.donations import ledger
    real_time = time.time

    def made_days_ago(days):
        monkeypatch.setattr(time, "time", lambda: real_time() - days * 86400)
        token = make_token("donation-manage", [1, "digest"])
        monkeypatch.setattr(time, "time", real_time)
        return token
    assert read_token("donation-manage", made_days_ago(29)) == [1, "digest"]
    with pytest.raises(ExpiredToken):
        read_token("donation-manage", made_days_ago(31))
    with pytest.raises(ExpiredToken):  # the function the manage page calls
        ledger.donation_from_manage_token(made_days_ago(31))
    # Single-purpose: a manage token opens nothing else.
    token = make_token("donation-manage", [1, "digest"])
    for purpose in ("privacy", "confirm", "unsubscribe", "forget"):
        with pytest.raises(InvalidToken):
            read_token(purpose, token)


def test_no_link_token_in_any_log_line(client, app, caplog, tmp_path):
    app.config.update(MAIL_TRANSPORT="files", MAIL_DIR=str(tmp_path / "mail"))
    from campaign.organizers import service as organizers
    admin, _ = make_user(role="admin")
    campaign = make_campaign()
    signature = make_signature(campaign, email="logs@example.org", confirmed=False)
    with caplog.at_level(logging.DEBUG):
        organizers.invite(admin, "new-organizer@example.org")
        organizers.request_reset(admin.email)
        service.request_data_link("logs@example.org", "en")
        outbox.work(once=True)
        links = [line for path in (tmp_path / "mail").glob("*.links.txt")
                 for line in path.read_text().split()]
        paths = [re.sub(r"^https?://[^/]+", "", link) for link in links]
        paths += [f"/unsubscribe/{petitions.signature_token('unsubscribe', signature)}",
                  f"/forget/{petitions.signature_token('forget', signature)}",
                  f"/donations/manage/{make_token('donation-manage', [1, 'x'])}",
                  f"/letters/confirm/{make_token('letters-confirm', ['b', 'x'])}"]
        for path in paths:
            client.get(path)
    tokens = [path.rstrip("/").rsplit("/", 1)[-1] for path in paths]
    kinds = {path.split("/")[1] if not path.startswith("/organize") else path.split("/")[2]
             for path in paths}
    assert {"confirm", "privacy", "invite", "reset", "unsubscribe", "forget", "donations",
            "letters"} <= kinds
    for token in tokens:
        assert len(token) > 20 and token not in caplog.text
    # The production access log (gunicorn_conf) cuts every such token from the path.
    for path, token in zip(paths, tokens, strict=True):
        assert token not in gunicorn_conf._TOKEN_PATH.sub(r"/\1/…", path), path


def test_the_development_servers_request_lines_hold_no_link_token(app, caplog):
    """`flask run` (the README's run command) logs every request line through werkzeug's
    logger: a link's token is cut there too, by the record factory every logger uses."""
    token = make_token("confirm", [1, "abc"])
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET /confirm/%s HTTP/1.1" 200 -', token)
        logging.getLogger("werkzeug").info('"GET /letters/confirm/%s HTTP/1.1" 200', token)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2 and all("/confirm/…" in line for line in lines)
    assert not any(token in line for line in lines)
