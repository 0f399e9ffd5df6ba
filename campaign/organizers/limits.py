"""Rate-limit settings changed by admins in the console (no redeploy): one row read by
campaign/abuse/limits.py, every change in the audit log."""
from __future__ import annotations

from typing import Any

from flask import current_app

from ..abuse.limits import CONSOLE_LIMITS, forget_settings
from ..abuse.models import LimitSettings
from ..audit import service as audit
from ..extensions import db
from ..util import utcnow
from .models import User

LIMIT_FIELDS = ("sign_per_address", "sign_per_network", "sign_per_email", "sign_per_domain",
                "allowed_networks")


def limit_settings() -> LimitSettings | None:
    return db.session.get(LimitSettings, 1)


def default_limits() -> dict[str, str]:
    """The deployment's limits (settings) that an empty console field falls back to."""
    config = current_app.config
    return {column: config.get(f"RATELIMIT_{action.upper()}_PER_{kind}") or ""
            for (action, kind), column in CONSOLE_LIMITS.items()}


def save_limit_settings(user: User, values: dict[str, str | None]
                        ) -> dict[str, dict[str, Any]]:
    """Store the console's limit settings with an audit entry; returns what changed.

    Every process reads the row again within LIMIT_SETTINGS_CACHE_SECONDS; this one at once.
    """
    row = limit_settings()
    if row is None:
        row = LimitSettings(id=1, allowed_networks="")
        db.session.add(row)
    changes: dict[str, dict[str, Any]] = {}
    for name in LIMIT_FIELDS:
        new = values.get(name)
        if name == "allowed_networks":
            new = "\n".join(line.strip() for line in (new or "").splitlines() if line.strip())
        old = getattr(row, name)
        if (old or None) != (new or None):
            changes[name] = {"old": old or "", "new": new or ""}
            setattr(row, name, new if name == "allowed_networks" else (new or None))
    if changes:
        row.updated_at = utcnow()
        row.updated_by_id = getattr(user, "id", None)
        audit.record(user, "rate_limits.change", target="rate limits", changes=changes)
    db.session.commit()
    forget_settings()
    return changes
