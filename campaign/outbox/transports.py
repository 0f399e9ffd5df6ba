"""Mail transports: one small interface, chosen by MAIL_TRANSPORT.

- ``smtp``: smtplib over one SMTP connection per batch, messages built with the standard
  library's fast compat32 MIME classes (Flask-Mail's EmailMessage path parses every header
  back through the modern policy: 3/4 of the worker's time in bench/RESULTS.md);
- ``files``: each message written as an .eml file under MAIL_DIR (the embedded default);
- ``memory``: kept in a list, for tests that do not need a real server.
"""
from __future__ import annotations

import base64
import logging
import re
import smtplib
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

from flask import current_app
from flask_mail import Message

from .models import OutboxMessage

log = logging.getLogger(__name__)


def build_message(row: OutboxMessage) -> Message:
    message = Message(
        subject=row.subject,
        recipients=[row.to_addr],
        body=row.body_text,
        html=row.body_html,
        reply_to=row.reply_to,
        extra_headers=dict(row.headers or {}),
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    for attachment in row.attachments:
        message.attach(attachment.filename, attachment.content_type, attachment.data)
    message.msgId = f"<outbox-{row.id}@{_domain()}>"  # stable: a resend is recognisably the same
    return message


def _domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    match = re.search(r"@([^>\s]+)", sender)
    return match.group(1) if match else "localhost"


class Transport:
    """Sends a batch; yields (row, error or None) for each row, reusing one connection."""

    def send_batch(self, rows: list[OutboxMessage]):
        raise NotImplementedError


def _address_header(value: str) -> str:
    """`Name <addr>` with a non-ASCII name encoded (RFC 2047)."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


# smtplib sends bytes as they are: the line ends must already be CRLF.
_SMTP_POLICY = compat32.clone(linesep="\r\n")


def _text_part(text: str, subtype: str) -> MIMEText:
    # Base64 body: lines stay short (SMTP refuses lines over 998 bytes) whatever the text.
    part = MIMEText("", subtype, "utf-8")
    part.replace_header("Content-Transfer-Encoding", "base64")
    part.set_payload(base64.encodebytes(text.encode("utf-8")).decode("ascii"))
    return part


def build_mime_bytes(row: OutboxMessage, sender: str, domain: str) -> bytes:
    """The message as sent: text and (if any) HTML alternatives, UTF-8, stable Message-ID."""
    if row.body_html:
        message = MIMEMultipart("alternative")
        message.attach(_text_part(row.body_text, "plain"))
        message.attach(_text_part(row.body_html, "html"))
    else:
        message = _text_part(row.body_text, "plain")
    message["Subject"] = row.subject if row.subject.isascii() else Header(row.subject, "utf-8")
    message["From"] = _address_header(sender)
    message["To"] = row.to_addr
    if row.reply_to:
        message["Reply-To"] = _address_header(row.reply_to)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<outbox-{row.id}@{domain}>"
    for name, value in (row.headers or {}).items():
        if "\n" in name + value or "\r" in name + value:
            raise ValueError(f"bad header {name!r}")
        message[name] = value
    return message.as_bytes(policy=_SMTP_POLICY)


class SMTPTransport(Transport):
    def _connect(self) -> smtplib.SMTP:
        config = current_app.config
        server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        smtp = smtp_class(server, port, timeout=30)
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def send_batch(self, rows):
        # One connection for the batch; an error connecting fails every row of it.
        sender = current_app.config["MAIL_DEFAULT_SENDER"]
        envelope_from = parseaddr(sender)[1]
        domain = _domain()
        with self._connect() as smtp:
            for row in rows:
                try:
                    smtp.sendmail(envelope_from, [row.to_addr],
                                  build_mime_bytes(row, sender, domain))
                except smtplib.SMTPServerDisconnected:
                    raise  # the rest of the batch cannot go either: retried as a whole
                except Exception as exc:  # noqa: BLE001 - recorded on the row, retried later
                    yield row, f"{type(exc).__name__}: {exc}"
                else:
                    yield row, None


class FileTransport(Transport):
    """Writes .eml files, and logs the links they hold so a newcomer can click them."""

    def send_batch(self, rows):
        folder = Path(current_app.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        for row in rows:
            path = folder / f"{row.id:08d}-{row.kind}.eml"
            path.write_bytes(build_message(row).as_bytes())
            links = re.findall(r"https?://\S+", row.body_text)
            log.info("e-mail %s (%s) kept at %s; links: %s", row.id, row.kind, path,
                     " ".join(links) or "none")
            yield row, None


class MemoryTransport(Transport):
    sent: list[Message] = []

    def send_batch(self, rows):
        for row in rows:
            MemoryTransport.sent.append(build_message(row))
            yield row, None


TRANSPORTS = {"smtp": SMTPTransport, "files": FileTransport, "memory": MemoryTransport}


def get_transport() -> Transport:
    return TRANSPORTS[current_app.config["MAIL_TRANSPORT"]]()
