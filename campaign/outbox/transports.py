"""Mail transports: one small interface, chosen by MAIL_TRANSPORT.

Every transport sends the same bytes, built by `build_mime_bytes` with the standard library's
compat32 MIME classes (Flask-Mail's EmailMessage path parses every header back through the
modern policy: 3/4 of the worker's time in bench/RESULTS.md).

- ``smtp``: smtplib over one SMTP connection per batch;
- ``files``: each message written as an .eml file under MAIL_DIR (the embedded default);
- ``memory``: kept in a list, for tests that do not need a real server.
"""
from __future__ import annotations

import base64
import contextlib
import logging
import os
import re
import secrets
import smtplib
from collections.abc import Iterable, Iterator
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from flask import current_app
from flask_mail import Connection

from ..extensions import mail
from . import signing
from .models import OutboxMessage

SMTP_TIMEOUT_SECONDS = 30

log = logging.getLogger(__name__)


def _domain() -> str:
    """The right-hand side of Message-IDs: the site's own domain."""
    return signing.message_id_domain()


class Bounce(str):
    """An error the server gave for this address: `hard` (5xx: do not try again) or soft
    (4xx: retried with backoff). Transports yield it in place of a plain error string."""

    code: int
    hard: bool

    def __new__(cls, text: str, *, code: int, hard: bool) -> Bounce:
        error = super().__new__(cls, text)
        error.code, error.hard = code, hard
        return error


class Transport:
    """Sends a batch; yields (row, error or None) for each row, reusing one connection.

    An error is a string, or a `Bounce` when the server refused the recipient."""

    def send_batch(self, rows: list[OutboxMessage]) -> Iterator[tuple[OutboxMessage, str | None]]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the transport keeps between batches (an SMTP session)."""


@lru_cache(maxsize=256)  # the same sender on every message of a batch
def _address_header(value: str) -> str:
    """`Name <addr>` with a non-ASCII name encoded (RFC 2047)."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


_ONE_LINE_ASCII = re.compile(r"[ -~\t]*")  # printable ASCII: no line break of any kind
_UNBREAKABLE = re.compile(r"[!-+\--:<-~]*")  # ... and no space, tab, ';' or ','


class _Compat32(type(compat32)):  # type: ignore[misc]
    """compat32, minus its cost for the common header: a short one-line ASCII value is
    written as it is, which is what compat32's `Header(...).encode()` makes of it too (it
    splits only lines over the limit, and encodes only non-ASCII), without building a
    Header for each of a message's dozen headers. Anything else goes the usual way.
    tests/outbox/test_transports.py compares the bytes with plain compat32's."""

    def _fold(self, name: str, value: object, sanitize: bool) -> str:
        if isinstance(value, str) and _ONE_LINE_ASCII.fullmatch(value):
            if len(name) + 2 + len(value) <= 76:
                return f"{name}: {value}{self.linesep}"
            if _UNBREAKABLE.fullmatch(value):
                # No place compat32 may break it (a List-Unsubscribe URL): it keeps the value
                # whole, after a line break when the line would pass 78 characters.
                if len(name) + 2 + len(value) <= 78:
                    return f"{name}: {value}{self.linesep}"
                return f"{name}: {self.linesep} {value}{self.linesep}"
            # The same subject on every message of a batch: folded once.
            return _folded(self, name, value, sanitize)
        return super()._fold(name, value, sanitize)  # type: ignore[no-any-return]

    def _fold_uncached(self, name: str, value: object, sanitize: bool) -> str:
        return super()._fold(name, value, sanitize)  # type: ignore[no-any-return]


@lru_cache(maxsize=512)
def _folded(policy: _Compat32, name: str, value: str, sanitize: bool) -> str:
    return policy._fold_uncached(name, value, sanitize)


# smtplib sends bytes as they are: the line ends must already be CRLF.
_SMTP_POLICY = _Compat32(linesep="\r\n")


def _boundary() -> str:
    """A multipart boundary that cannot occur in a part: every part is base64 (no `_` in
    its alphabet) under headers that never start with `--`. Set here, so the generator need
    not compile a regular expression per message to look for it in the text."""
    return f"=_{secrets.token_hex(16)}"


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    # Base64 body: lines stay short (SMTP refuses lines over 998 bytes) whatever the text.
    # The headers MIMEText("", subtype, "utf-8") would give, without encoding an empty body
    # through the charset machinery first.
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(text.encode("utf-8")).decode("ascii"))
    return part


def _message_headers(row: OutboxMessage, sender: str, domain: str
                     ) -> list[tuple[str, str | Header]]:
    """The headers of the message itself, in order (after its MIME headers)."""
    headers: list[tuple[str, str | Header]] = [
        ("Subject", row.subject if row.subject.isascii() else Header(row.subject, "utf-8")),
        ("From", _address_header(sender)),
        ("To", row.to_addr)]
    if row.reply_to:
        headers.append(("Reply-To", _address_header(row.reply_to)))
    headers.append(("Date", formatdate(usegmt=True)))
    headers.append(("Message-ID", signing.message_id(row, domain)))
    for name, value in (row.headers or {}).items():
        if "\n" in name + value or "\r" in name + value:
            raise ValueError(f"bad header {name!r}")
        headers.append((name, value))
    return headers


def build_mime_bytes(row: OutboxMessage, sender: str, domain: str) -> bytes:
    """The message as sent: text and (if any) HTML alternatives, UTF-8, stable Message-ID."""
    if not row.attachments:
        return signing.dkim_sign(_plain_mime_bytes(row, _message_headers(row, sender, domain)))
    if row.body_html:
        message: MIMEBase = MIMEMultipart("alternative", boundary=_boundary())
        message.attach(_text_part(row.body_text, "plain"))
        message.attach(_text_part(row.body_html, "html"))
    else:
        message = _text_part(row.body_text, "plain")
    if row.attachments:
        body, message = message, MIMEMultipart("mixed", boundary=_boundary())
        message.attach(body)
        for attachment in row.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            part = MIMEApplication(attachment.data, subtype or "octet-stream")
            if maintype != "application":
                part.replace_header("Content-Type", attachment.content_type)
            part.add_header("Content-Disposition", "attachment",
                            filename=("utf-8", "", attachment.filename))
            message.attach(part)
    for name, value in _message_headers(row, sender, domain):
        message[name] = value  # type: ignore[assignment]  # compat32 takes a Header; typeshed says str only
    return signing.dkim_sign(message.as_bytes(policy=_SMTP_POLICY))


_CRLF = b"\r\n"
_PART_HEADERS = {subtype: (b'Content-Type: text/%s; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
                           b"Content-Transfer-Encoding: base64\r\n" % subtype.encode())
                 for subtype in ("plain", "html")}


def _base64_body(text: str) -> bytes:
    return base64.encodebytes(text.encode("utf-8")).replace(b"\n", _CRLF)


def _plain_mime_bytes(row: OutboxMessage, headers: list[tuple[str, str | Header]]) -> bytes:
    """What the email package's compat32 generator writes for a message without
    attachments (a base64 text part, or text and HTML alternatives), written directly: each
    header folded by the same policy, the parts laid out as the generator lays them out
    (tests/outbox/test_fast_paths.py compares the bytes), at a fraction of its cost."""
    fold = _SMTP_POLICY.fold_binary
    if row.body_html:
        boundary = _boundary().encode("ascii")
        # Folded once per boundary length (the fold depends on lengths only: no place to
        # break inside a boundary), then the boundary put in.
        placeholder = b"=" * len(boundary)
        content_type = fold("Content-Type", 'multipart/alternative; boundary="'
                            f'{placeholder.decode()}"').replace(placeholder, boundary)
        out = [content_type, b"MIME-Version: 1.0\r\n"]
        out.extend(fold(name, value) for name, value in headers)
        out += [_CRLF, b"--", boundary, _CRLF,
                _PART_HEADERS["plain"], _CRLF, _base64_body(row.body_text),
                _CRLF, b"--", boundary, _CRLF,
                _PART_HEADERS["html"], _CRLF, _base64_body(row.body_html),
                _CRLF, b"--", boundary, b"--", _CRLF]
        return b"".join(out)
    out = [_PART_HEADERS["plain"]]
    out.extend(fold(name, value) for name, value in headers)
    out += [_CRLF, _base64_body(row.body_text)]
    return b"".join(out)


def _refusal(exc: smtplib.SMTPException) -> Bounce | None:
    """A Bounce when the server refused the recipient (RCPT TO), else None."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
        reason = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return Bounce(f"SMTP {code}: {reason}", code=code, hard=500 <= code < 600)
    return None


class SMTPTransport(Transport):
    """Flask-Mail opens the SMTP session (server, port, TLS/SSL, login from MAIL_*); the
    messages go over it as prebuilt bytes. The session is kept from batch to batch (a worker
    calls `close` when it stops): a new TCP, TLS and AUTH handshake per batch cost as much as
    the messages themselves. A session the server dropped while we idled is reopened."""

    def __init__(self) -> None:
        self._connection: Connection | None = None

    def _session(self) -> smtplib.SMTP | None:
        if self._connection is not None:
            smtp = self._connection.host
            try:
                if smtp is None or smtp.noop()[0] == 250:
                    return smtp
            except (smtplib.SMTPException, OSError):
                pass
            self.close()
        connection = mail.connect()
        connection.__enter__()  # opens the session; closed in close()
        self._connection = connection
        smtp = connection.host  # None when MAIL_SUPPRESS_SEND: nothing leaves
        if smtp is not None and smtp.sock is not None:
            smtp.sock.settimeout(SMTP_TIMEOUT_SECONDS)  # a stalled server must not hang us
        return smtp

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):  # the server is gone already
                connection.__exit__(None, None, None)  # type: ignore[arg-type]  # Flask-Mail's hints forbid the None a context manager's exit takes

    def send_batch(self, rows: Iterable[OutboxMessage]
                   ) -> Iterator[tuple[OutboxMessage, str | None]]:
        sender = current_app.config["MAIL_DEFAULT_SENDER"]
        domain = _domain()
        # An error connecting fails every row of the batch (the caller retries them all).
        smtp = self._session()
        for row in rows:
            try:
                if smtp is not None:
                    # VERP: a bounce comes back to an address naming this message.
                    smtp.sendmail(signing.return_path(row.id), [row.to_addr],
                                  build_mime_bytes(row, sender, domain))
            except smtplib.SMTPServerDisconnected:
                self.close()
                raise  # the rest of the batch cannot go either: retried as a whole
            except smtplib.SMTPRecipientsRefused as exc:
                yield row, _refusal(exc)
            except Exception as exc:  # noqa: BLE001 - recorded on the row, retried later
                yield row, f"{type(exc).__name__}: {exc}"
            else:
                yield row, None


class FileTransport(Transport):
    """Writes .eml files, and the links they hold to a `.links.txt` beside each, so a
    newcomer can click them. Never to the log: a link's token is a key to someone's data."""

    def send_batch(self, rows: Iterable[OutboxMessage]
                   ) -> Iterator[tuple[OutboxMessage, str | None]]:
        folder = Path(current_app.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        for row in rows:
            path = folder / f"{row.id:08d}-{row.kind}.eml"
            path.write_bytes(build_mime_bytes(row, current_app.config["MAIL_DEFAULT_SENDER"],
                                              _domain()))
            links = re.findall(r"https?://\S+", row.body_text)
            links_path = path.with_suffix(".links.txt")
            fd = os.open(links_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write("\n".join(links) + "\n")
            log.info("e-mail %s (%s) kept at %s; its links are in %s", row.id, row.kind, path,
                     links_path.name)
            yield row, None


class MemoryTransport(Transport):
    """Keeps each message's bytes in `sent` (a class-wide list tests read and clear)."""

    sent: ClassVar[list[bytes]] = []

    def send_batch(self, rows: Iterable[OutboxMessage]
                   ) -> Iterator[tuple[OutboxMessage, str | None]]:
        sender, domain = current_app.config["MAIL_DEFAULT_SENDER"], _domain()
        for row in rows:
            MemoryTransport.sent.append(build_mime_bytes(row, sender, domain))
            yield row, None


TRANSPORTS = {"smtp": SMTPTransport, "files": FileTransport, "memory": MemoryTransport}


def get_transport() -> Transport:
    return TRANSPORTS[current_app.config["MAIL_TRANSPORT"]]()
