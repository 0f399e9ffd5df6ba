"""Rules for targets: CSV import and export, and the starting set shipped with the project."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from .. import i18n
from ..addresses import InvalidEmail, normalize_email
from ..extensions import db
from ..organizers.models import User
from .models import ORGANISATIONS, Target

STARTING_SET = Path(__file__).resolve().parent / "data" / "targets.csv"
STARTING_NAMES = Path(__file__).resolve().parent / "data" / "target_names.csv"
CSV_COLUMNS = ["short_id", "organisation", "name", "role", "email", "postal_address",
               "web_url", "source_url", "source_date", "languages", "languages_source",
               "offered_by_default", "active", "verified_on"]
NAME_COLUMNS = ["short_id", "language", "name", "description", "name_source"]
_TRUE = {"1", "true", "yes", "y", ""}


def on_verified(app: Flask, hook: Callable[[Target], object]) -> None:
    """`hook(target)` runs after an organizer checked a target against its source (letters
    sends what waited for it); called from a feature's init_app."""
    hooks = app.extensions.setdefault("target_verified_hooks", [])
    if hook not in hooks:
        hooks.append(hook)


class ImportProblem(ValueError):
    """A row that cannot be imported; nothing of the file is written."""


def all_targets(*, active_only: bool = False) -> list[Target]:
    query = select(Target).order_by(Target.organisation, Target.name)
    if active_only:
        query = query.where(Target.active.is_(True))
    return list(db.session.scalars(query))


def targets_by_ids(ids: Iterable[int | str]) -> list[Target]:
    ids = [int(i) for i in ids]
    if not ids:
        return []
    return list(db.session.scalars(select(Target).where(Target.id.in_(ids))
                                   .order_by(Target.organisation, Target.name)))


def _row_values(row: dict[str, str], line: int) -> dict[str, Any] | None:
    """Clean one CSV row; None for a row without a source (the project keeps only sourced
    facts); raises ImportProblem for a row that is wrong."""
    def get(key: str) -> str:
        return (row.get(key) or "").strip()
    if not get("source_url"):
        return None
    short_id, organisation, name = get("short_id"), get("organisation"), get("name")
    if not short_id or not name:
        raise ImportProblem(f"line {line}: short_id and name are required")
    if organisation not in ORGANISATIONS:
        raise ImportProblem(f"line {line}: organisation must be one of {', '.join(ORGANISATIONS)}")
    email = get("email") or None
    if email:
        try:
            email, _key = normalize_email(email)
        except InvalidEmail as exc:
            raise ImportProblem(f"line {line}: bad e-mail address {email!r}: {exc}") from exc
    languages = [code.strip() for code in get("languages").split(",") if code.strip()]
    unknown = [code for code in languages if code not in i18n.LANGUAGES]
    if unknown:
        raise ImportProblem(f"line {line}: unknown language code(s) {', '.join(unknown)}")
    verified_on = None
    if get("verified_on"):
        try:
            verified_on = date.fromisoformat(get("verified_on"))
        except ValueError as exc:
            raise ImportProblem(f"line {line}: verified_on must be YYYY-MM-DD") from exc
    return {
        "short_id": short_id[:60], "organisation": organisation, "name": name[:200],
        "role": get("role"), "email": email, "postal_address": get("postal_address") or None,
        "web_url": get("web_url") or None, "source_url": get("source_url"),
        "source_date": get("source_date")[:20],
        "languages": ",".join(languages) or "en",
        "languages_source": get("languages_source") or (
            "" if languages else "default: English (no source given for this body's languages)"),
        "active": get("active").lower() in _TRUE, "verified_on": verified_on,
        "offered_by_default": get("offered_by_default").lower() in _TRUE,
    }


def import_csv(text: str) -> tuple[int, int, int]:
    """Create or update targets by short_id. Returns (created, updated, skipped without source).
    All or nothing: one bad row and no row is written."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"short_id", "organisation", "name", "source_url"} - set(reader.fieldnames or [])
    if missing:
        raise ImportProblem(f"missing column(s): {', '.join(sorted(missing))}")
    values, skipped = [], 0
    for line, row in enumerate(reader, start=2):
        cleaned = _row_values(row, line)
        if cleaned is None:
            skipped += 1
        else:
            values.append(cleaned)
    existing = {t.short_id: t for t in db.session.scalars(select(Target))}
    created = updated = 0
    for cleaned in values:
        target = existing.get(cleaned["short_id"])
        if target is None:
            target = Target(**cleaned)
            db.session.add(target)
            existing[target.short_id] = target
            created += 1
        else:
            for key, value in cleaned.items():
                setattr(target, key, value)
            updated += 1
    db.session.commit()
    return created, updated, skipped


def export_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for target in db.session.scalars(select(Target).order_by(Target.short_id)):
        row = {column: getattr(target, column) for column in CSV_COLUMNS}
        row["active"] = "yes" if target.active else "no"
        row["offered_by_default"] = "yes" if target.offered_by_default else "no"
        row["verified_on"] = target.verified_on.isoformat() if target.verified_on else ""
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def import_names_csv(text: str) -> int:
    """Names and descriptions of bodies in other languages, each with where the name comes
    from (`NAME_COLUMNS`). Rows for unknown bodies are an error; all or nothing."""
    reader = csv.DictReader(io.StringIO(text))
    missing = set(NAME_COLUMNS) - set(reader.fieldnames or [])
    if missing:
        raise ImportProblem(f"missing column(s): {', '.join(sorted(missing))}")
    existing = {t.short_id: t for t in db.session.scalars(select(Target))}
    updates: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(reader, start=2):
        def get(key: str, row: dict[str, str] = row) -> str:
            return (row.get(key) or "").strip()

        short_id, language = get("short_id"), get("language")
        if short_id not in existing:
            raise ImportProblem(f"line {line}: unknown body {short_id!r}")
        if language not in i18n.LANGUAGES:
            raise ImportProblem(f"line {line}: unknown language code {language!r}")
        if not get("name") or not get("name_source"):
            raise ImportProblem(f"line {line}: name and name_source are required")
        updates.setdefault(short_id, dict(existing[short_id].translations or {}))[language] = {
            "name": get("name")[:300], "description": get("description"),
            "source": get("name_source")}
    for short_id, translations in updates.items():
        existing[short_id].translations = translations  # a new dict: JSON change is seen
    db.session.commit()
    return sum(len(v) for v in updates.values())


def load_starting_set() -> tuple[int, int, int]:
    """The sourced directory shipped in campaign/targets/data/ (bodies, then their names in
    the site's languages)."""
    result = import_csv(STARTING_SET.read_text(encoding="utf-8"))
    import_names_csv(STARTING_NAMES.read_text(encoding="utf-8"))
    return result


def mark_verified(target: Target, on: date | None = None, *, by: User | None = None) -> None:
    """An organizer checked the row against its source: who and when, in the audit log too."""
    from ..audit import service as audit

    target.verified_on = on or date.today()
    target.verified_by = getattr(by, "email", None) or target.verified_by
    audit.record(by, "target.verified", target=target.short_id,
                 on=target.verified_on.isoformat())
    db.session.flush()
    for hook in current_app.extensions.get("target_verified_hooks", ()):
        hook(target)
    db.session.commit()


def update_target(target: Target, *, email: str | None, languages: str, active: bool,
                  verified: bool, by: User | None = None) -> None:
    """An organizer's correction; raises InvalidEmail for a bad address (nothing written)."""
    target.email = normalize_email(email)[0] if email and email.strip() else None
    target.languages = ",".join(c.strip() for c in languages.split(",") if c.strip()) or "en"
    target.active = active
    if verified:
        mark_verified(target, by=by)  # commits
        return
    db.session.commit()


def target_by_id(target_id: int) -> Target | None:
    return db.session.get(Target, target_id)
