"""The worker's shortcuts change nothing a recipient or the suppression list sees: a message
is the same bytes as with the standard library's compat32 policy, and an address hashes as
through the validator."""
from __future__ import annotations

import hashlib
import hmac
from email.policy import compat32

import pytest

from campaign.addresses import InvalidEmail, normalize_email
from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox import suppression, transports
from campaign.outbox.models import OutboxMessage


def _built(monkeypatch, row, policy) -> bytes:
    monkeypatch.setattr(transports, "_SMTP_POLICY", policy)
    monkeypatch.setattr(transports, "_boundary", lambda: "=_fixed")
    monkeypatch.setattr(transports, "formatdate", lambda usegmt: "Mon, 30 Nov 2026 00:00 GMT")
    return transports.build_mime_bytes(row, "Кампания Қордай <campaign@example.org>",
                                       "example.org")


@pytest.mark.parametrize("subject", ["Confirm your signature", "Подпишите петицию — Қордай",
                                     ("A subject long enough that compat32 has to fold it "
                                      "over two lines of the header")])
def test_message_bytes_are_compat32s(app, monkeypatch, subject):
    outbox.enqueue(kind="test", to="reader@example.org", subject=subject,
                   body_text="Сәлем, мир\n" * 40, body_html="<p>Сәлем</p>",
                   reply_to="Организатор <org@example.org>",
                   headers={"List-Unsubscribe": "<https://campaign.test/unsubscribe/"
                            + "x" * 120 + ">", "List-Unsubscribe-Post":
                            "List-Unsubscribe=One-Click", "X-Tab": "a\tb  c"},
                   attachments=[("письмо.pdf", "application/pdf", b"%PDF-1.4 " * 50),
                                ("note.txt", "text/plain", "текст".encode())])
    db.session.commit()
    row = db.session.query(OutboxMessage).one()
    fast = _built(monkeypatch, row, transports._SMTP_POLICY)
    plain = _built(monkeypatch, row, compat32.clone(linesep="\r\n"))
    assert fast == plain
    assert b"\r\n--=_fixed--\r\n" in fast


def _stdlib_message(row, sender: str, domain: str) -> bytes:
    """The message as the email package writes it with plain compat32 (the reference)."""
    from email.header import Header
    from email.mime.multipart import MIMEMultipart

    if row.body_html:
        message = MIMEMultipart("alternative", boundary="=_fixed")
        message.attach(transports._text_part(row.body_text, "plain"))
        message.attach(transports._text_part(row.body_html, "html"))
    else:
        message = transports._text_part(row.body_text, "plain")
    message["Subject"] = row.subject if row.subject.isascii() else Header(row.subject,
                                                                          "utf-8")
    message["From"] = transports._address_header(sender)
    message["To"] = row.to_addr
    if row.reply_to:
        message["Reply-To"] = transports._address_header(row.reply_to)
    message["Date"] = "Mon, 30 Nov 2026 00:00 GMT"
    message["Message-ID"] = transports.signing.message_id(row, domain)
    for name, value in row.headers.items():
        message[name] = value
    return message.as_bytes(policy=compat32.clone(linesep="\r\n"))


@pytest.mark.parametrize("html", [None, "<p>Сәлем, <b>мир</b></p>\n" * 30, ""])
@pytest.mark.parametrize("text", ["Hello\n", "Сәлем, мир\r\nline two " * 50, ""])
@pytest.mark.parametrize("subject", ["Confirm your signature", "Подпишите петицию — Қордай",
                                     ("A subject long enough that compat32 has to fold it "
                                      "over two lines of the header")])
def test_a_message_without_attachments_is_written_as_the_email_package_writes_it(
        app, monkeypatch, subject, text, html):
    """The worker writes these (nearly all mail) without the email package's generator."""
    outbox.enqueue(kind="test", to="reader@example.org", subject=subject, body_text=text,
                   body_html=html, reply_to="Организатор <org@example.org>",
                   headers={"List-Unsubscribe": "<https://campaign.test/unsubscribe/"
                            + "x" * 120 + ">", "List-Unsubscribe-Post":
                            "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-replied",
                            "X-Tab": "a\tb  c"})
    db.session.commit()
    row = db.session.query(OutboxMessage).one()
    sender = "Кампания Қордай <campaign@example.org>"
    fast = _built(monkeypatch, row, transports._SMTP_POLICY)
    assert fast == _stdlib_message(row, sender, "example.org")


def test_boundaries_differ_and_cannot_occur_in_base64():
    boundaries = {transports._boundary() for _ in range(100)}
    assert len(boundaries) == 100
    assert all("_" in b for b in boundaries)  # not in the base64 alphabet of every part


def _validated_hash(app, address: str) -> str:
    try:
        key = normalize_email(address)[1]
    except InvalidEmail:
        key = address.strip().lower()
    return hmac.new(app.config["SECRET_KEY"].encode(), b"mail:" + key.encode(),
                    hashlib.sha256).hexdigest()


@pytest.mark.parametrize("address", [
    "reader@example.org", "Reader.Name@Example.ORG", "a..b@example.org", "x@localhost",
    "A.B@gmail.com", "a.b+tag@GMail.com", "ab@googlemail.com", "tag+x@example.org",
    "-x@x.test", "x@x.com.", "  spaced@example.org ", "пример@пример.рф", "x@"])
def test_address_hash_as_through_the_validator(app, address):
    assert suppression.address_hash(address) == _validated_hash(app, address)


def test_header_folding_is_compat32s_for_any_ascii_value():
    """The policy's shortcuts (short lines, values with no place to break, repeated values)
    fold every header as compat32 does; a seeded sample of values of every length."""
    import random
    import string

    rng = random.Random(17)
    plain = compat32.clone(linesep="\r\n")
    alphabet = string.ascii_letters + string.digits + "<>:/._-=?&+%@!#$*()[]{}'\"~^|`\\"
    for number in range(3000):
        chars = alphabet + (" ;,\t" if number % 2 else "")
        value = "".join(rng.choice(chars) for _ in range(rng.choice(
            [rng.randint(0, 200), rng.randint(60, 80)])))
        name = rng.choice(["Subject", "List-Unsubscribe", "X-A",
                           "A-Header-Name-Longer-Than-Most-Header-Names"])
        for _ in range(2):  # the second time from the cache
            assert transports._SMTP_POLICY.fold_binary(name, value) == \
                plain.fold_binary(name, value), (name, value)
