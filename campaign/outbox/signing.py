"""Who the mail says it is from: the domains, the per-message return path (VERP), DKIM.

- Message-IDs use MAIL_MESSAGE_ID_DOMAIN, else the host of SITE_URL, with a part keyed by
  SECRET_KEY, so two installations never produce the same id (`message_id`).
- The envelope sender is `bounces+<token>@<domain>` (MAIL_BOUNCE_ADDRESS gives the
  `bounces@domain` part): a bounce names the message it is about, signed so nobody can forge
  one that suppresses someone else.
- DKIM: dkimpy signs each message with DKIM_PRIVATE_KEY_FILE under DKIM_SELECTOR (off while
  either is unset); `flask mail dns` prints the records to publish.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from email.utils import parseaddr
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import dkim
from dkim.crypto import parse_pem_private_key
from flask import current_app

if TYPE_CHECKING:
    from .models import OutboxMessage

# The headers DKIM covers: what a reader sees and what one-click unsubscribe relies on.
SIGNED_HEADERS = (b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Reply-To",
                  b"MIME-Version", b"Content-Type", b"List-Unsubscribe",
                  b"List-Unsubscribe-Post", b"List-Id", b"Auto-Submitted")


def sender_domain() -> str:
    """The domain of MAIL_DEFAULT_SENDER (the From address)."""
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2].lower() or "localhost"


def message_id_domain() -> str:
    configured = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN")
    return configured or urlsplit(current_app.config["SITE_URL"]).hostname or sender_domain()


def message_id(row: OutboxMessage, domain: str) -> str:
    """`<outbox-ID.RANDOM@domain>`: RANDOM is keyed by SECRET_KEY and the row's creation time,
    so two installations (or an id SQLite reused) never share an id, while a retry of the same
    message keeps its id and mail systems can recognise the duplicate."""
    key = current_app.config["SECRET_KEY"].encode()
    created = row.created_at.isoformat() if row.created_at else ""
    part = hmac.new(key, f"message-id:{row.id}:{created}".encode(), hashlib.sha256)
    return f"<outbox-{row.id}.{part.hexdigest()[:16]}@{domain}>"


def bounce_address() -> str:
    return current_app.config.get("MAIL_BOUNCE_ADDRESS") or f"bounces@{sender_domain()}"


# --- VERP ---------------------------------------------------------------------------------

def _verp_mac(message_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"verp:{message_id}".encode(), hashlib.sha256).hexdigest()[:10]


def return_path(message_id: int) -> str:
    local, _, domain = bounce_address().partition("@")
    return f"{local}+{message_id}-{_verp_mac(message_id)}@{domain}"


_VERP = re.compile(r"\+(\d+)-([0-9a-f]{10})@", re.IGNORECASE)


def message_id_from_return_path(address: str) -> int | None:
    """The outbox message a bounce was addressed about, if the token is ours and intact."""
    match = _VERP.search(address or "")
    if not match:
        return None
    message_id = int(match.group(1))
    return message_id if hmac.compare_digest(match.group(2).lower(),
                                             _verp_mac(message_id)) else None


# --- DKIM ---------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _read_key(path: str, mtime: float) -> bytes:
    key = Path(path).read_bytes()
    parse_pem_private_key(key)  # fail at start, not on every message
    return key


def dkim_key() -> bytes | None:
    path = current_app.config.get("DKIM_PRIVATE_KEY_FILE")
    if not path or not current_app.config.get("DKIM_SELECTOR"):
        return None
    return _read_key(path, Path(path).stat().st_mtime)


def dkim_domain() -> str:
    return current_app.config.get("DKIM_DOMAIN") or sender_domain()


def dkim_sign(message: bytes) -> bytes:
    """The message with a DKIM-Signature header in front, or unchanged when DKIM is off."""
    key = dkim_key()
    if key is None:
        return message
    present = {name.lower() for name in re.findall(rb"^([A-Za-z-]+):", message.split(
        b"\r\n\r\n", 1)[0], re.MULTILINE)}
    headers = [name for name in SIGNED_HEADERS if name.lower() in present]
    signature: bytes = dkim.sign(message, current_app.config["DKIM_SELECTOR"].encode(),
                          dkim_domain().encode(), key, include_headers=headers,
                          canonicalize=(b"relaxed", b"relaxed"), linesep=b"\r\n")
    return signature + message


# --- DNS records to publish ---------------------------------------------------------------

def _der(tag: int, body: bytes) -> bytes:
    length = len(body)
    if length < 0x80:
        head = bytes([length])
    else:
        size = length.to_bytes((length.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(size)]) + size
    return bytes([tag]) + head + body


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


_RSA_ENCRYPTION = bytes.fromhex("06092a864886f70d0101010500")  # OID 1.2.840.113549.1.1.1, NULL


def public_key_b64(private_pem: bytes) -> str:
    """The `p=` of the DKIM record: the SubjectPublicKeyInfo of the private key, base64."""
    key = parse_pem_private_key(private_pem)
    rsa_public = _der(0x30, _der_int(key["modulus"]) + _der_int(key["publicExponent"]))
    spki = _der(0x30, _der(0x30, _RSA_ENCRYPTION) + _der(0x03, b"\x00" + rsa_public))
    return base64.b64encode(spki).decode("ascii")


def dns_records() -> list[tuple[str, str, str]]:
    """(name, type, value) of the DKIM, SPF and DMARC records for the sending domain."""
    domain = sender_domain()
    records = []
    key = dkim_key()
    if key is not None:
        records.append((f"{current_app.config['DKIM_SELECTOR']}._domainkey.{dkim_domain()}",
                        "TXT", f"v=DKIM1; k=rsa; p={public_key_b64(key)}"))
    server = current_app.config.get("MAIL_SERVER")
    relay = f" a:{server}" if server and not re.fullmatch(r"[\d.:]+|localhost", server) else ""
    records.append((domain, "TXT", f"v=spf1 mx{relay} -all"))
    records.append((f"_dmarc.{domain}", "TXT",
                    f"v=DMARC1; p=quarantine; adkim=s; aspf=r; rua=mailto:{bounce_address()}"))
    return records
