"""DKIM checked by dkimpy against the record `flask mail dns` prints; bounces at send time
(an SMTP 5xx from a real aiosmtpd) and read back from a Maildir or mbox by
`flask outbox bounces`; suppression; institutions paused after repeated hard bounces."""
from __future__ import annotations

import mailbox
import re
import subprocess
from datetime import timedelta
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import dkim
import pytest
from sqlalchemy import func, select

from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox import suppression
from campaign.outbox.models import MailBounce, MailSuppression, OutboxMessage
from campaign.targets import service as targets
from campaign.targets.models import Target
from campaign.util import utcnow
from tests.factories import make_campaign, make_user


def _deliver():
    while outbox.deliver_batch():
        pass


@pytest.fixture
def dkim_key(tmp_path):
    path = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(path), "2048"], check=True,
                   capture_output=True)
    return path


def test_dkim_signature_verifies_against_the_printed_record(app, sink, dkim_key):
    app.config.update(DKIM_SELECTOR="mail2026", DKIM_PRIVATE_KEY_FILE=str(dkim_key),
                      MAIL_DEFAULT_SENDER="Korday Justice <campaign@korday.example>")
    printed = app.test_cli_runner().invoke(args=["mail", "dns"])
    assert printed.exit_code == 0, printed.output
    records = {}
    for line in printed.output.splitlines():
        if line.startswith(";"):
            continue
        name, _, kind, value = line.split("\t")
        records[name] = "".join(re.findall(r'"([^"]*)"', value))
        assert kind == "TXT"
    assert records["korday.example."].startswith("v=spf1 ")
    assert records["_dmarc.korday.example."].startswith("v=DMARC1; p=quarantine")
    dkim_record = records["mail2026._domainkey.korday.example."]
    assert dkim_record.startswith("v=DKIM1; k=rsa; p=")

    outbox.enqueue(kind="signature_confirm", to="reader@example.org",
                   subject="Подтвердите подпись — Қордай", body_text="Сәлем\n",
                   body_html="<p>Сәлем</p>",
                   headers={"List-Unsubscribe": "<https://korday.example/unsubscribe/x>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    db.session.commit()
    _deliver()
    [received] = sink.received
    raw = received.raw
    assert raw.startswith(b"DKIM-Signature:")
    signature = received.message["DKIM-Signature"]
    assert "d=korday.example" in signature and "s=mail2026" in signature
    assert "list-unsubscribe-post" in signature.lower()

    def dns(name, timeout=5):
        assert name == b"mail2026._domainkey.korday.example."
        return dkim_record.encode()

    assert dkim.verify(raw, dnsfunc=dns)
    # A changed subject no longer verifies: the check is real.
    tampered = raw.replace(b"Subject: ", b"Subject: Re: ", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_without_dkim_settings_mail_is_unsigned_and_dns_says_so(app, sink):
    outbox.enqueue(kind="test", to="reader@example.org", subject="s", body_text="b")
    db.session.commit()
    _deliver()
    assert "DKIM-Signature" not in sink.received[0].message
    printed = app.test_cli_runner().invoke(args=["mail", "dns"])
    assert "DKIM is off" in printed.output and "v=spf1" in printed.output


# --- bounces ------------------------------------------------------------------------------

def _dsn(return_path: str, recipient: str, *, action="failed", status="5.1.1") -> bytes:
    """A delivery status notification as Postfix writes one (RFC 3464)."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.example.org (Mail Delivery System)"
    report["To"] = return_path
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(MIMEText("I'm sorry to have to inform you that your message could not "
                           "be delivered to one or more recipients.\n"))
    status_part = EmailMessage()
    status_part.set_type("message/delivery-status")
    # The body: per-message fields, blank line, per-recipient fields.
    text = (f"Reporting-MTA: dns; mx.example.org\n\n"
            f"Final-Recipient: rfc822; {recipient}\nOriginal-Recipient: rfc822;{recipient}\n"
            f"Action: {action}\nStatus: {status}\n"
            f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected\n")
    raw = (f"Content-Type: message/delivery-status\n\n{text}").encode()
    from email import message_from_bytes
    report.attach(message_from_bytes(raw))
    return report.as_bytes()


def _arf(recipient: str, original_message_id: str) -> bytes:
    """A feedback-loop complaint (RFC 5965) as a mailbox provider sends one."""
    raw = (
        "From: fbl@provider.example\nTo: bounces@localhost\nSubject: complaint\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nThis is an abuse report.\n"
        "--b\nContent-Type: message/feedback-report\n\n"
        f"Feedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\nOriginal-Rcpt-To: {recipient}\n"
        "\n--b\nContent-Type: text/rfc822-headers\n\n"
        f"From: campaign@localhost\nTo: {recipient}\nMessage-ID: {original_message_id}\n"
        "--b--\n")
    return raw.encode()


def _send_one(sink, to, kind="signature_confirm", **extra):
    outbox.enqueue(kind=kind, to=to, subject="s", body_text="b", **extra)
    db.session.commit()
    _deliver()
    return sink.received[-1]


def _run_bounces(app, path):
    result = app.test_cli_runner().invoke(args=["outbox", "bounces", "--path", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_dsn_in_the_maildir_suppresses_the_address(app, sink, tmp_path):
    campaign = make_campaign()
    sent = _send_one(sink, "gone@example.org", campaign_id=campaign.id)
    box = mailbox.Maildir(str(tmp_path / "bounces"), create=True)
    box.add(_dsn(sent.mail_from, "gone@example.org"))
    box.add(b"From: someone@example.org\nSubject: out of office\n\nI am away.\n")
    output = _run_bounces(app, tmp_path / "bounces")
    assert "1 hard bounce(s)" in output and "1 not ours" in output
    assert len(box) == 1  # the report is consumed; the stray e-mail stays for a person
    assert suppression.is_suppressed("gone@example.org")
    assert suppression.counts_for_campaign(campaign.id) == {
        "hard": 1, "soft": 0, "complaints": 0, "suppressed": 1}
    # The lists hold a keyed hash, never the address.
    for model in (MailBounce, MailSuppression):
        rows = db.session.scalars(select(model)).all()
        assert rows
        for row in rows:
            values = " ".join(str(getattr(row, column.name)) for column in model.__table__.columns)
            assert "gone" not in values.lower(), values
    # Nothing more is sent to it, of any kind.
    outbox.enqueue(kind="signature_confirm", to="Gone@Example.org", subject="s", body_text="b")
    db.session.commit()
    _deliver()
    assert len(sink.received) == 1
    row = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert row.status == "failed" and row.last_error.startswith("suppressed")


def test_soft_bounces_retry_and_suppress_only_after_days(app, sink, tmp_path):
    sent = _send_one(sink, "full@example.org")
    box = mailbox.mbox(str(tmp_path / "bounces.mbox"), create=True)
    box.add(_dsn(sent.mail_from, "full@example.org", action="delayed", status="4.2.2"))
    box.flush()
    assert "1 soft" in _run_bounces(app, tmp_path / "bounces.mbox")
    assert not suppression.is_suppressed("full@example.org")
    # Still bouncing softly once OUTBOX_SOFT_BOUNCE_DAYS have passed: given up.
    db.session.execute(db.update(MailBounce).values(created_at=utcnow() - timedelta(days=4)))
    db.session.commit()
    box = mailbox.mbox(str(tmp_path / "bounces.mbox"))
    box.add(_dsn(sent.mail_from, "full@example.org", action="delayed", status="4.2.2"))
    box.flush()
    _run_bounces(app, tmp_path / "bounces.mbox")
    assert suppression.is_suppressed("full@example.org")


def test_an_old_soft_bounce_does_not_suppress_a_new_one(app):
    suppression.record_bounce("full@example.org", hard=False, status="4.2.2", source="dsn")
    db.session.commit()
    # Last spring's full mailbox, then none for months: today's is a new run of bounces.
    db.session.execute(db.update(MailBounce).values(created_at=utcnow() - timedelta(days=90)))
    suppression.record_bounce("full@example.org", hard=False, status="4.2.2", source="dsn")
    db.session.commit()
    assert not suppression.is_suppressed("full@example.org")


def test_a_forged_verp_token_is_not_believed(app, sink, tmp_path):
    sent = _send_one(sink, "reader@example.org")
    forged = re.sub(r"-[0-9a-f]{10}@", "-0000000000@", sent.mail_from)
    box = mailbox.Maildir(str(tmp_path / "b"), create=True)
    box.add(_dsn(forged, "victim@example.org"))
    assert "1 not ours" in _run_bounces(app, tmp_path / "b")
    assert not suppression.is_suppressed("victim@example.org")


def test_a_complaint_stops_news_but_not_what_the_reader_asks_for(app, sink, tmp_path):
    sent = _send_one(sink, "angry@example.org", kind="campaign_update",
                     priority=outbox.PRIORITY_BULK)
    box = mailbox.Maildir(str(tmp_path / "b"), create=True)
    box.add(_arf("angry@example.org", sent.message["Message-ID"]))
    assert "1 complaint(s)" in _run_bounces(app, tmp_path / "b")
    outbox.enqueue(kind="campaign_update", to="angry@example.org", subject="news",
                   body_text="b", priority=outbox.PRIORITY_BULK)
    outbox.enqueue(kind="signature_confirm", to="angry@example.org", subject="confirm",
                   body_text="b")
    db.session.commit()
    _deliver()
    assert [item.message["Subject"] for item in sink.received[1:]] == ["confirm"]


def test_bounces_command_without_a_mailbox_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["outbox", "bounces"])
    assert result.exit_code != 0 and "MAIL_BOUNCE_MAILBOX" in result.output
    result = app.test_cli_runner().invoke(args=["outbox", "bounces", "--path", "/nonexistent"])
    assert result.exit_code != 0 and "no mailbox" in result.output


def test_smtp_5xx_at_send_time_is_a_hard_bounce_not_retried(app, sink):
    sink.refuse["nobody@example.org"] = "550 5.1.1 <nobody@example.org>: no such user"
    sink.refuse["busy@example.org"] = "452 4.2.2 mailbox full"
    outbox.enqueue(kind="signature_confirm", to="nobody@example.org", subject="s",
                   body_text="b")
    outbox.enqueue(kind="signature_confirm", to="busy@example.org", subject="s", body_text="b")
    outbox.enqueue(kind="signature_confirm", to="fine@example.org", subject="s", body_text="b")
    db.session.commit()
    outbox.deliver_batch()
    rows = {row.to_addr: row for row in db.session.scalars(select(OutboxMessage))}
    assert rows["nobody@example.org"].status == "failed"
    assert "550" in rows["nobody@example.org"].last_error
    assert rows["busy@example.org"].status == "queued"  # soft: retried with backoff
    assert rows["fine@example.org"].status == "sent"  # the session went on after the 5xx
    assert suppression.is_suppressed("nobody@example.org")
    assert not suppression.is_suppressed("busy@example.org")


def test_an_institution_that_keeps_bouncing_is_paused_and_organizers_told(app, sink, client):
    targets.import_csv("short_id,organisation,name,role,email,postal_address,web_url,"
                       "source_url,source_date,languages\nun_min,UN,UN Rapporteur,,"
                       "rapporteur@un.example.org,,,https://s.test/1,2012,en\n")
    campaign = make_campaign()
    from campaign.letters import service as letters
    target = targets.all_targets()[0]
    letters.set_campaign_targets(campaign, {target.id}, {target.id})
    _admin, password = make_user(role="admin", email="admin@example.org")
    make_user(campaigns=[campaign], email="organizer@example.org")
    make_user(email="unrelated@example.org")
    sink.refuse["rapporteur@un.example.org"] = "550 5.1.1 user unknown"
    limit = app.config["TARGET_PAUSE_AFTER_BOUNCES"]
    for number in range(limit):
        # Each letter is refused at send time (SMTP 550); the address is the directory's to
        # manage, so it is not suppressed and the next letter is tried.
        outbox.enqueue(kind="letters_letter", to="rapporteur@un.example.org", subject="s",
                       body_text="b")
        db.session.commit()
        _deliver()
        assert db.session.get(Target, target.id).active is (number + 1 < limit)
        assert not suppression.is_suppressed("rapporteur@un.example.org")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "letters_letter", OutboxMessage.status == "failed")) == limit
    # A DSN arriving later counts too, and does not pause (or tell) twice.
    suppression.record_bounce("rapporteur@un.example.org", hard=True, status="5.1.1",
                              source="dsn")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "target.paused_bounces")) == 1
    _deliver()
    told = sorted(r for item in sink.received for r in item.rcpt_tos
                  if item.message["Subject"].startswith("An institution"))
    assert told == ["admin@example.org", "organizer@example.org"]
    # The console's directory says which were paused and why.
    from tests.conftest import login
    login(client, "admin@example.org", password)
    page = client.get("/organize/targets/").get_data(as_text=True)
    assert "Paused because their address keeps refusing our mail" in page
    assert f"bounced {limit + 1} times" in page


def test_the_campaign_console_shows_its_bounces_and_suppressions(app, client):
    from tests.conftest import login

    campaign = make_campaign()
    other = make_campaign()
    _user, password = make_user(campaigns=[campaign], email="organizer@example.org")
    suppression.record_bounce("a@example.org", hard=True, status="5.1.1", source="dsn",
                              campaign_id=campaign.id)
    suppression.record_bounce("b@example.org", hard=False, status="4.2.2", source="dsn",
                              campaign_id=campaign.id)
    suppression.record_bounce("c@example.org", hard=False, status="abuse", source="arf",
                              complaint=True, campaign_id=campaign.id)
    suppression.record_bounce("d@example.org", hard=True, status="5.1.1", source="dsn",
                              campaign_id=other.id)  # another campaign's: not counted here
    db.session.commit()
    login(client, "organizer@example.org", password)
    page = client.get(f"/organize/c/{campaign.slug}/analytics").get_data(as_text=True)
    assert "E-mail delivery" in page
    counts = dict(re.findall(r'data-mail="(\w+)">(\d+)<', page))
    assert counts == {"hard": "1", "soft": "1", "complaints": "1", "suppressed": "2"}
