"""E-mail and IP addresses: validation, canonical forms, and the keyed network hash.

E-mail syntax is checked by the `email-validator` package; we only add the canonical key
that makes `A.B+x@gmail.com` and `ab@gmail.com` one signer.
"""
from __future__ import annotations

import hashlib
import hmac
import importlib
import ipaddress
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from email_validator import syntax as _email_syntax

# Providers that ignore dots in the local part (plus-tags are stripped for every domain).
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
DOTLESS_DOMAINS = frozenset(_DOTLESS_DOMAINS)


# The domain's checks (IDNA, UTS-46, special-use names) are most of email-validator's cost
# and depend on the domain alone, which signers share (a few big providers): remembered per
# domain. The same function, memoized where validate_email looks it up; its result is only
# read there. A domain it refuses raises, and is not remembered.
_validate_email_module = importlib.import_module("email_validator.validate_email")
if getattr(_validate_email_module, "validate_email_domain_name", None) \
        is _email_syntax.validate_email_domain_name:
    _validate_email_module.validate_email_domain_name = lru_cache(  # type: ignore[attr-defined]  # the name validate_email looks up
        maxsize=4096)(_email_syntax.validate_email_domain_name)


class InvalidEmail(ValueError):
    pass


def normalize_email(raw: str, *, check_deliverability: bool = False) -> tuple[str, str]:
    """Return (address to write to, canonical key for uniqueness) or raise InvalidEmail.

    Syntax only unless `check_deliverability` (no DNS on the sign path). Remembered for the
    last few addresses: a sign checks one address three times (form, disposable-domain
    check, service), and the IDNA/Unicode checks are the costly part."""
    if check_deliverability:
        return _normalize_email(raw, True)
    return _normalize_email_cached(raw)


@lru_cache(maxsize=256)
def _normalize_email_cached(raw: str) -> tuple[str, str]:
    return _normalize_email(raw, False)


def _normalize_email(raw: str, check_deliverability: bool) -> tuple[str, str]:
    try:
        info = validate_email(raw.strip(), check_deliverability=check_deliverability)
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from exc
    address = info.normalized
    local, domain = info.local_part, info.ascii_domain.lower()
    key_local = local.lower().split("+", 1)[0] or local.lower()
    if domain in _DOTLESS_DOMAINS:
        domain = _DOTLESS_DOMAINS[domain]
        key_local = key_local.replace(".", "")
    return address, f"{key_local}@{domain}"


def email_domain(email_key: str) -> str:
    return email_key.rsplit("@", 1)[-1]


def network_of(ip: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of an address, as text; None if unparsable."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    # The network by masking the address's integer: what ip_network(f"{address}/24",
    # strict=False) gives, at a sixth of its cost (every signature computes it).
    if address.version == 4:
        return f"{ipaddress.IPv4Address(int(address) & _V4_NETWORK)}/24"
    return f"{ipaddress.IPv6Address(int(address) & _V6_NETWORK)}/48"


_V4_NETWORK = ((1 << 32) - 1) ^ ((1 << 8) - 1)     # /24
_V6_NETWORK = ((1 << 128) - 1) ^ ((1 << 80) - 1)   # /48


def network_hash(ip: str | None, key: str) -> str | None:
    """Keyed hash of the address's network: flood detection without storing the address."""
    network = network_of(ip)
    if network is None:
        return None
    return hmac.new(key.encode(), network.encode(), hashlib.sha256).hexdigest()[:32]


def domain_variants(email_key: str) -> list[str]:
    """The domains whose addresses can share this canonical key (gmail.com, googlemail.com)."""
    domain = email_domain(email_key)
    return sorted({alias for alias, canonical in _DOTLESS_DOMAINS.items()
                   if canonical == domain} | {domain})


def has_key(address: str | None, email_key: str) -> bool:
    """Whether `address` is, canonically, the same person's address as `email_key`."""
    try:
        return normalize_email(address or "")[1] == email_key
    except InvalidEmail:
        return False
