"""Paper (offline) signatures: read a CSV file, check every row, import in one transaction.

Rows are checked by the sign form's own schema (petitions/forms.py SignatureFields: e-mail
by email-validator and the disposable-domain list, ISO country code, lengths, control and
replacement characters), so paper accepts exactly what the web form accepts. A file with
errors imports nothing unless the organizer asks for the valid rows only; a row's error
names its line in the file.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import i18n
from ...addresses import normalize_email
from ...audit import service as audit
from ...campaigns.models import Campaign
from ...extensions import db
from ...organizers.models import ImportBatch, User
from ...util import utcnow
from .. import custom_fields, lifecycle
from ..forms import PaperRowForm
from ..models import Signature

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = ("full_name", "email", "country", "comment", "locale", "updates")
REQUIRED = ("full_name", "email", "country")
_TRUE = {"1", "yes", "y", "true", "да", "иә", "ооба", "oui", "ja", "x", "是"}


class ImportFileError(Exception):
    """The file as a whole cannot be read; `message` says why, for the organizer."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class RowError:
    line: int
    message: object
    value: str = ""      # what the row said, when that helps to find the mistake


@dataclass
class ImportReport:
    encoding: str = ""
    rows: int = 0
    valid: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0
    batch_id: int | None = None


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and encoding: UTF-8 (with or without BOM), UTF-16 with BOM, or the
    Windows Cyrillic code page that Russian Excel writes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            text = None
        # cp1251 decodes nearly any bytes; believe it only if the result reads as Cyrillic.
        if text is not None and _looks_cyrillic(text):
            return text, "cp1251"
    raise ImportFileError(_l("The file is not in a text encoding we can read. Save it as "
                             "“CSV UTF-8” and upload it again."))


def _looks_cyrillic(text: str) -> bool:
    """Cyrillic and ASCII only, and no word mixing the two: Western text decoded as cp1251
    turns into words like "Mьller"."""
    words = re.findall(r"[^\W\d_]+", text)[:5000]
    if not words:
        return True
    cyrillic_words = mixed = 0
    for word in words:
        kinds = {"latin" if c.isascii() else "cyrillic" if "CYRILLIC" in unicodedata.name(
            c, "") else "other" for c in word}
        if "other" in kinds:
            return False
        if kinds == {"latin", "cyrillic"}:
            mixed += 1
        elif kinds == {"cyrillic"}:
            cyrillic_words += 1
    return cyrillic_words > 0 and mixed <= len(words) * 0.01


def _reader_and_header(text: str) -> tuple[Reader, list[str]]:
    """A CSV reader in the file's own dialect (comma, semicolon or tab), and its header."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "",
                                      delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(_l("The file has no header row.")) from exc
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(_l(
            "The first row must name the columns; missing: %(columns)s. Columns we read: "
            "%(known)s.", columns=", ".join(missing), known=", ".join(COLUMNS)))
    return reader, header


def read(data: bytes, campaign_id: int) -> ImportReport:
    """Check a whole file without writing anything."""
    if not data.strip():
        raise ImportFileError(_l("The file is empty."))
    text, encoding = decode(data)
    report = ImportReport(encoding=encoding)
    reader, header = _reader_and_header(text)
    limit = current_app.config["PAPER_IMPORT_MAX_ROWS"]
    seen: dict[str, int] = {}
    # The campaign's custom fields, checked as the sign form checks them.
    form_class = custom_fields.paper_form(PaperRowForm, campaign_id)
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            report.rows += 1
            if report.rows > limit:
                raise ImportFileError(_l(
                    "The file has more than %(limit)s rows. Split it into smaller files.",
                    limit=f"{limit:,}"))
            row = dict(zip(header, (c.strip() for c in cells), strict=False))  # short rows: ""
            if len(cells) > len(header):
                report.errors.append(RowError(line, _l("This row has more cells than the "
                                                       "header.")))
                continue
            problem, clean = _check_row(row, form_class)
            if problem is None:
                key = clean["email_key"]
                if key in seen:
                    problem = RowError(line, _l("The same address is on line %(line)s.",
                                                line=seen[key]))
                else:
                    seen[key] = line
            if problem is not None:
                problem.line = line
                report.errors.append(problem)
            else:
                clean["line"] = line
                report.valid.append(clean)
    except csv.Error as exc:
        raise ImportFileError(_l("The file is not valid CSV near line %(line)s.",
                                 line=reader.line_num)) from exc
    if report.rows == 0:
        raise ImportFileError(_l("The file has a header but no signatures."))
    _drop_existing(report, campaign_id)
    return report


def _drop_existing(report: ImportReport, campaign_id: int) -> None:
    """Rows whose address has signed already become errors (looked up in chunks, so a big
    campaign's addresses are never all loaded)."""
    keys = [row["email_key"] for row in report.valid]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        existing.update(db.session.scalars(select(Signature.email_key).where(
            Signature.campaign_id == campaign_id,
            Signature.email_key.in_(keys[start:start + 500]))))
    if not existing:
        return
    kept = []
    for row in report.valid:
        if row["email_key"] in existing:
            report.errors.append(RowError(
                row["line"], _l("This address has already signed this campaign.")))
        else:
            kept.append(row)
    report.valid = kept
    report.errors.sort(key=lambda error: error.line)


def _check_row(row: dict[str, str], form_class: type[PaperRowForm] = PaperRowForm
               ) -> tuple[RowError | None, dict[str, Any]]:
    """A row checked by the sign form's own schema (PaperRowForm), plus what only paper
    has: a language column and a yes/no news column. The error is for line 0: the
    caller sets it."""
    form = form_class.of_row({**row, "country": row.get("country", "").upper()},
                             custom_fields.row_formdata(form_class, row))
    if not form.validate():
        name = next(name for name in form.errors)
        value = row.get(name, "") if name in ("email", "country") else ""
        message = form[name].errors[0]
        if name.startswith(custom_fields.PREFIX):  # say which column
            message = f"{name[len(custom_fields.PREFIX):]}: {message}"
        return RowError(0, message, value[:80]), {}
    locale = row.get("locale", "").lower()
    if locale and locale not in i18n.CONTENT_LANGUAGES:
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in locale):
            return RowError(0, _l("This row contains characters that are not allowed.")), {}
        return RowError(0, _l("“%(locale)s” is not one of our languages.",
                              locale=locale[:20])), {}
    address, key = normalize_email(form.email.data)
    return None, {"full_name": form.full_name.data, "email": address, "email_key": key,
                  "country": form.country.data, "comment": form.comment.data or None,
                  "locale": locale, "updates": row.get("updates", "").lower() in _TRUE,
                  "custom": custom_fields.answers(form)}


def import_rows(user: User, campaign: Campaign, report: ImportReport, *, filename: str,
                note: str = "", valid_only: bool = False) -> ImportReport:
    """Write the valid rows as confirmed paper signatures, counted, in one transaction."""
    if report.errors and not valid_only:
        return report
    now = utcnow()
    batch = ImportBatch(campaign_id=campaign.id, user_id=user.id, filename=filename[:200],
                        note=note[:200], rows_imported=len(report.valid),
                        rows_rejected=len(report.errors))
    db.session.add(batch)
    db.session.flush()
    signatures = [Signature(
        full_name=row["full_name"], email=row["email"],
        email_key=row["email_key"], country=row["country"],
        locale=row["locale"] or campaign.default_locale, comment=row["comment"],
        display="initial", updates_opt_in=row["updates"],
        updates_opt_in_at=now if row["updates"] else None,
        source="paper", created_at=now, confirmed_at=now, import_batch_id=batch.id)
        for row in report.valid]
    lifecycle.add_new(campaign.id, signatures, confirmed=True)
    definitions = custom_fields.fields_of(campaign.id)
    for signature, row in zip(signatures, report.valid, strict=True):
        custom_fields.store_answers(signature, row.get("custom", {}), definitions)
    audit.record(user, "signature.import_paper", campaign_id=campaign.id, target=filename,
                 batch=batch.id, imported=len(report.valid), rejected=len(report.errors))
    db.session.commit()
    report.imported, report.batch_id = len(report.valid), batch.id
    return report


def batches(campaign_id: int) -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).where(
        ImportBatch.campaign_id == campaign_id).order_by(ImportBatch.id.desc())))
