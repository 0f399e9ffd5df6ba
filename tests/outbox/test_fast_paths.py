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
