"""Record and read the audit log. Entries join the caller's transaction (no commit here).

Other features call one function here per sensitive act (a one-line call), so what is
recorded, and how old and new values are kept, is decided in this one place.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_app_context
from sqlalchemy import Select, event, func, inspect, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..spreadsheet import iter_csv
from .models import AuditEntry

# Longest text kept for an old or new value: enough to see what changed, not a copy of a
# whole letter template or campaign text in every entry.
MAX_VALUE_CHARS = 2000


def record(user: object, action: str, *, campaign_id: int | None = None, target: str = "",
           **detail: Any) -> AuditEntry:
    entry = AuditEntry(user_id=getattr(user, "id", None),
                       user_email=getattr(user, "email", "") or "system",
                       action=action, campaign_id=campaign_id, target=str(target)[:200],
                       detail={k: v for k, v in detail.items() if v is not None})
    db.session.add(entry)
    return entry


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)[:MAX_VALUE_CHARS]


def changed(user: object, action: str, old: dict[str, Any], new: dict[str, Any], *,
            campaign_id: int | None = None, target: str = "", **detail: Any
            ) -> AuditEntry | None:
    """An entry with the old and new value of every field that differs; None if nothing did.

    `old` is read before the change, `new` after: e.g. a directory e-mail address change
    is kept as {"email": {"old": "a@un.org", "new": "b@un.org"}}.
    """
    changes = {name: {"old": _plain(old.get(name)), "new": _plain(new.get(name))}
               for name in sorted(set(old) | set(new))
               if _plain(old.get(name)) != _plain(new.get(name))}
    if not changes:
        return None
    return record(user, action, campaign_id=campaign_id, target=target, changes=changes,
                  **detail)


def key_created(user: object, key: Any) -> AuditEntry:  # key: api.models.ApiKey (api imports audit)
    return record(user, "api_key.create", target=f"kjc_{key.prefix}", name=key.name,
                  scopes=sorted(key.scope_set) + (["trusted_import"] if key.trusted_import
                                                  else []),
                  expires_at=_plain(key.expires_at),
                  campaigns=[campaign.slug for campaign in key.campaigns])


def note(user: object, action: str, *, campaign_id: int | None = None, target: str = "",
         **detail: Any) -> None:
    """Record an act that writes nothing else (a download, an export) and commit it."""
    record(user, action, campaign_id=campaign_id, target=target, **detail)
    db.session.commit()


# --- watched rows: every change of these is on the record, whoever makes it -----------------

@dataclass(frozen=True)
class Watch:
    action: str
    fields: tuple[str, ...]
    target: str = ""  # attribute naming the row in the entry (short id, kind...)


# By table name, so this package imports no feature (dependencies point down). A change made
# by any code path (console, CLI, a future page) is recorded with its old and new values.
WATCHED = {
    "targets": Watch("target.edit", ("name", "email", "postal_address", "web_url",
                                     "languages", "active", "verified_on"), "short_id"),
    "widget_settings": Watch("widget.origins", ("allowed_origins", "allow_any")),
    "donation_settings": Watch("donations.settings", (
        "currencies", "goal_amount", "goal_currency", "rates", "offline_instructions")),
    "letter_templates": Watch("letters.template", ("kind", "locale", "subject", "body"),
                              "locale"),
    "retention_policies": Watch("privacy.retention", ("days_after_delivery",)),
    "campaign_targets": Watch("letters.targets", ("target_id", "preselected"), "target_id"),
    "petition_deliveries": Watch("letters.deliver", ("target_id", "locale", "signature_count",
                                                     "export_sha256"), "target_id"),
}


def set_actor(user: object) -> None:
    """Who acts in this request (the console gate calls it): watched changes name them."""
    g.audit_actor = user


def _actor() -> object:
    return g.get("audit_actor") if has_app_context() else None


def _values(obj: object, fields: tuple[str, ...], which: str) -> dict[str, Any]:
    state = inspect(obj)
    out = {}
    for name in fields:
        history = state.attrs[name].history
        if which == "old":
            out[name] = (history.deleted[0] if history.deleted
                         else history.unchanged[0] if history.unchanged else None)
        else:
            out[name] = (history.added[0] if history.added
                         else history.unchanged[0] if history.unchanged else None)
    return out


def _record_watched(session: Session, flush_context: object, instances: object) -> None:
    for kind, objects in (("new", session.new), ("dirty", session.dirty),
                          ("deleted", session.deleted)):
        for obj in list(objects):
            watch = WATCHED.get(getattr(obj, "__tablename__", ""))
            if watch is None or isinstance(obj, AuditEntry):
                continue
            old = {} if kind == "new" else _values(obj, watch.fields, "old")
            new = {} if kind == "deleted" else _values(obj, watch.fields, "new")
            if kind == "dirty" and old == new:
                continue
            actor = _actor()
            entry = AuditEntry(
                user_id=getattr(actor, "id", None),
                user_email=getattr(actor, "email", "") or "system",
                action=watch.action + ("_removed" if kind == "deleted" else ""),
                campaign_id=getattr(obj, "campaign_id", None),
                target=str(getattr(obj, watch.target, "") if watch.target else "")[:200],
                detail={"changes": {name: {"old": _plain(old.get(name)),
                                           "new": _plain(new.get(name))}
                                    for name in watch.fields
                                    if _plain(old.get(name)) != _plain(new.get(name))}})
            session.add(entry)


event.listen(Session, "before_flush", _record_watched)


# --- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilter:
    """What an admin narrows the log to: a campaign, a person (the account's e-mail or the
    target, e.g. a signer's or an institution's address), and a kind (the action's first
    part: account, api_key, signature, campaign, letters, donations...)."""
    campaign_id: int | None = None
    person: str = ""
    kind: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilter:
        campaign = args.get("campaign", "")
        return cls(campaign_id=int(campaign) if campaign.isdigit() and len(campaign) < 10
                   else None,
                   person=(args.get("person") or "").strip()[:254],
                   kind=(args.get("kind") or "").strip()[:60])


def _filtered(flt: AuditFilter | None) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if flt is None:
        return query
    if flt.campaign_id is not None:
        query = query.where(AuditEntry.campaign_id == flt.campaign_id)
    if flt.person:
        pattern = "%" + flt.person.lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        query = query.where(func.lower(AuditEntry.user_email).like(pattern, escape="\\")
                            | func.lower(AuditEntry.target).like(pattern, escape="\\"))
    if flt.kind:
        query = query.where((AuditEntry.action == flt.kind)
                            | AuditEntry.action.startswith(flt.kind + ".", autoescape=True))
    return query


def entries(*, campaign_id: int | None = None, before_id: int | None = None,
            limit: int = 100, flt: AuditFilter | None = None) -> list[AuditEntry]:
    query = _filtered(flt).order_by(AuditEntry.id.desc()).limit(limit)
    if campaign_id is not None:
        query = query.where(AuditEntry.campaign_id == campaign_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.scalars(query))


def kinds() -> list[str]:
    """The kinds present in the log, for the filter's choices."""
    actions = db.session.scalars(select(AuditEntry.action).distinct())
    return sorted({action.split(".", 1)[0] for action in actions})


EXPORT_COLUMNS = ("id", "at", "user_email", "action", "campaign_id", "target", "detail")


def export_csv(flt: AuditFilter | None) -> Iterator[str]:
    """The filtered log as CSV, oldest first, streamed, through the one writer (cells cannot
    run as formulas)."""
    query = _filtered(flt).order_by(AuditEntry.id).execution_options(yield_per=2000)
    rows = ((entry.id, entry.at.isoformat(timespec="seconds"), entry.user_email, entry.action,
             entry.campaign_id, entry.target,
             json.dumps(entry.detail, ensure_ascii=False, sort_keys=True))
            for entry in db.session.scalars(query))
    yield from iter_csv(EXPORT_COLUMNS, rows)
