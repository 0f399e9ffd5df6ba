"""Signed tokens for the links in e-mails (confirm, unsubscribe, forget)."""
from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidToken(Exception):
    """The link was altered, or belongs to another purpose."""


class ExpiredToken(InvalidToken):
    """The link was genuine but is too old."""


_serializers: dict[tuple[str, str], URLSafeTimedSerializer] = {}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # Built once per key and purpose (a confirmation click reads one token; building the
    # serializer cost a third of reading it). Keyed on the key itself: a new SECRET_KEY gets
    # a new serializer.
    key = (current_app.config["SECRET_KEY"], purpose)
    serializer = _serializers.get(key)
    if serializer is None:
        if len(_serializers) > 64:  # keys changed many times (tests): start over
            _serializers.clear()
        serializer = _serializers[key] = URLSafeTimedSerializer(key[0], salt=f"link:{purpose}")
    return serializer


def make_token(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


# Link kinds that expire even where the caller gives no age: a donor's "manage" link opens
# their Stripe billing portal, so an old receipt in a shared mailbox must stop working.
DEFAULT_MAX_AGE_SECONDS = {"donation-manage": 30 * 24 * 3600}


def read_token(purpose: str, token: str, max_age_seconds: int | None = None) -> Any:
    if max_age_seconds is None:
        max_age_seconds = DEFAULT_MAX_AGE_SECONDS.get(purpose)
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except (BadSignature, UnicodeError, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
