"""Reading the bounce mailbox: delivery status notifications (RFC 3464) and feedback-loop
complaints (ARF, RFC 5965), from a Maildir folder or an mbox file, with the standard library.

The mail server delivers everything addressed to the VERP return path (`bounces+<token>@...`)
into MAIL_BOUNCE_MAILBOX (docs/deliverability.md shows a Postfix set-up). Each report is matched
to the outbox message it is about: by the VERP token it was addressed to, else by the
Message-ID of the returned original. A report that is ours is recorded and removed from the
mailbox; anything else (an auto-reply, spam) is left alone for a person to read.
"""
from __future__ import annotations

import logging
import mailbox
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import cast

from ..extensions import db
from . import signing, suppression
from .models import OutboxMessage

log = logging.getLogger(__name__)

_OUR_MESSAGE_ID = re.compile(r"<outbox-(\d+)\.[0-9a-f]+@", re.IGNORECASE)
_ADDRESS = re.compile(r"[^\s<>;]+@[^\s<>;]+")


@dataclass
class Report:
    """What one report says: who, hard or soft, or a complaint."""
    address: str
    hard: bool
    status: str
    complaint: bool = False
    message: OutboxMessage | None = None


@dataclass
class Summary:
    read: int = 0
    hard: int = 0
    soft: int = 0
    complaints: int = 0
    ignored: int = 0
    reports: list[Report] = field(default_factory=list)


def open_mailbox(path: str) -> mailbox.Mailbox:
    """A Maildir when `path` is a folder with cur/ and new/, else an mbox file."""
    folder = Path(path)
    if folder.is_dir():
        return mailbox.Maildir(str(folder), factory=None, create=False)
    return mailbox.mbox(str(folder), create=False)


def _parse(raw: bytes) -> Message:
    return message_from_bytes(raw, policy=policy.compat32)


def _outbox_message(report: Message) -> OutboxMessage | None:
    """The outbox row a report is about: its VERP address first, else the returned copy's
    Message-ID."""
    for header in ("Delivered-To", "X-Original-To", "Envelope-To", "To"):
        for value in report.get_all(header) or ():
            message_id = signing.message_id_from_return_path(str(value))
            if message_id is not None:
                return db.session.get(OutboxMessage, message_id)
    for part in report.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            text = part.as_string() if part.is_multipart() else str(part.get_payload())
            match = _OUR_MESSAGE_ID.search(text)
            if match:
                return db.session.get(OutboxMessage, int(match.group(1)))
    return None


def _address(value: str | None) -> str | None:
    """`rfc822; reader@example.org` -> `reader@example.org`."""
    if not value:
        return None
    match = _ADDRESS.search(value.split(";", 1)[-1])
    return match.group(0).strip().rstrip(".") if match else None


def _dsn_reports(report: Message, row: OutboxMessage | None) -> list[Report]:
    found = []
    for part in report.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # The per-message block first, then one block per recipient.
        for block in cast("list[Message]", part.get_payload())[1:]:
            action = (block.get("Action") or "").strip().lower()
            status: list[str] | str = (block.get("Status") or "").strip().split()[0:1]
            status = status[0] if status else ""
            address = _address(block.get("Final-Recipient")) or _address(
                block.get("Original-Recipient")) or (row.to_addr if row else None)
            if action not in ("failed", "delayed") or not address:
                continue  # "delivered", "relayed", "expanded": nothing wrong
            hard = action == "failed" and status.startswith("5")
            found.append(Report(address=address, hard=hard, status=status, message=row))
    return found


def _arf_reports(report: Message, row: OutboxMessage | None) -> list[Report]:
    for part in report.walk():
        if part.get_content_type() != "message/feedback-report":
            continue
        payload = part.get_payload()
        fields = cast(Message, payload[0]) if isinstance(payload, list) and payload else _parse(
            str(payload).encode())
        address = (_address(fields.get("Original-Rcpt-To"))
                   or (row.to_addr if row else None))
        if address:
            kind = (fields.get("Feedback-Type") or "abuse").strip().lower()
            return [Report(address=address, hard=False, status=kind[:20], complaint=True,
                           message=row)]
    return []


def reports_in(raw: bytes) -> list[Report] | None:
    """The reports one e-mail holds; None when it is not a DSN or complaint about our mail."""
    report = _parse(raw)
    if report.get_content_type() != "multipart/report":
        return None
    row = _outbox_message(report)
    kind = (cast("str | None", report.get_param("report-type")) or "").lower()
    if kind == "delivery-status":
        found = _dsn_reports(report, row)
    elif kind == "feedback-report":
        found = _arf_reports(report, row)
    else:
        return None
    if row is None and not any(_is_ours(r.address) for r in found):
        return None  # not about a message we sent (or its row was pruned and unknown)
    return found


def _is_ours(address: str) -> bool:
    """An address we have mailed (a row still in the outbox)."""
    return db.session.query(OutboxMessage.id).filter(
        OutboxMessage.to_addr == address).first() is not None


def read_mailbox(path: str, *, keep: bool = False) -> Summary:
    """Record every report in the mailbox; remove those recorded unless `keep`."""
    summary = Summary()
    box = open_mailbox(path)
    box.lock()
    try:
        for key in list(box.keys()):
            raw = box.get_bytes(key)
            summary.read += 1
            found = reports_in(raw)
            if found is None:
                summary.ignored += 1
                continue
            for item in found:
                row = item.message
                suppression.record_bounce(
                    item.address, hard=item.hard, status=item.status,
                    source="arf" if item.complaint else "dsn", complaint=item.complaint,
                    campaign_id=row.campaign_id if row else None,
                    kind=row.kind if row else None)
                if item.complaint:
                    summary.complaints += 1
                elif item.hard:
                    summary.hard += 1
                else:
                    summary.soft += 1
                summary.reports.append(item)
            db.session.commit()
            if not keep:
                box.remove(key)
        box.flush()
    finally:
        box.unlock()
        box.close()
    return summary
