"""Small helpers shared by features."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: the same on SQLite (no time zones) and PostgreSQL `timestamp` columns."""
    return datetime.now(UTC).replace(tzinfo=None)
