"""Small helpers shared by features."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: the same on SQLite (no time zones) and PostgreSQL `timestamp` columns."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_path(target: object) -> str | None:
    """`target` if it is a path on this site, else None (for `next=` and the language switch).

    Refused: anything not starting with one "/", "//host" and "/\\host" (browsers read both
    as another host), backslashes, and control characters anywhere (browsers drop a tab or
    newline, so "/\\t/evil.test" would become "//evil.test"; CR/LF would split a header).
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    return target
