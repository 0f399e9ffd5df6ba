"""Mail transports: one small interface, chosen by MAIL_TRANSPORT.

- ``smtp``: Flask-Mail over one SMTP connection per batch;
- ``files``: each message written as an .eml file under MAIL_DIR (the embedded default);
- ``memory``: kept in a list, for tests that do not need a real server.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import current_app
from flask_mail import Message

from ..extensions import mail
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


class SMTPTransport(Transport):
    def send_batch(self, rows):
        # One connection for the batch; an error connecting fails every row of it.
        with mail.connect() as connection:
            for row in rows:
                try:
                    connection.send(build_message(row))
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
