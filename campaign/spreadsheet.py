"""The one spreadsheet writer every export uses (CSV and XLSX), with the formula guard.

A text cell starting like a formula (`=`, `+`, `-`, `@`, tab, carriage return) would run as
one when a spreadsheet opens the file (OWASP "CSV injection"); it gets a leading `'`.
Numbers are left alone (a negative amount is a number, not a formula). Signatures (both
exports), donations, the delivery's canonical export and the open-data files all write
through here.

CSV dialects: Excel reads a CSV with the list separator of the user's locale, which is `;`
wherever the decimal separator is a comma (ru, kk, ky, de, fr...), and guesses the
encoding unless a BOM says UTF-8. `CsvDialect.for_locale` picks what opens in one click
for the console's language; organizers may choose the other.

XLSX: XlsxWriter in constant_memory mode writes each row to a temporary file as it comes
(rows must come in order, which an export's do), so a million rows cost a few MB of memory;
the finished workbook is then streamed from that file in chunks.
"""
from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel then reads UTF-8 (names in Cyrillic, Chinese)


def safe_cell(value: object) -> str | int | float | Decimal:
    """A value as a spreadsheet-safe cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Languages whose Excel expects `;` between fields (their decimal separator is a comma).
SEMICOLON_LOCALES = frozenset({"ru", "kk", "ky", "de", "fr", "dng"})
DELIMITERS = {"comma": ",", "semicolon": ";"}


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str = ","
    bom: bool = True

    @classmethod
    def for_locale(cls, locale: str | None) -> CsvDialect:
        language = (locale or "en").split("_")[0].split("-")[0].lower()
        return cls(";" if language in SEMICOLON_LOCALES else ",", True)

    @classmethod
    def from_args(cls, args: Mapping[str, str], locale: str | None) -> CsvDialect:
        """The organizer's choice (`sep=comma|semicolon`, `bom=0|1`) over the language's
        default; anything else falls back to the default."""
        default = cls.for_locale(locale)
        delimiter = DELIMITERS.get(args.get("sep", ""), default.delimiter)
        bom = {"0": False, "1": True}.get(args.get("bom", ""), default.bom)
        return cls(delimiter, bom)

    @property
    def name(self) -> str:
        return "semicolon" if self.delimiter == ";" else "comma"


def iter_csv(header: Sequence[str], rows: Iterable[Iterable[object]], *, bom: bool = False,
             line_end: str = "\r\n", chunk_rows: int = 500,
             delimiter: str = ",") -> Iterator[str]:
    """CSV text in chunks of `chunk_rows` rows, streamed: memory stays flat for any size."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end, delimiter=delimiter)

    def flush() -> str:
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return data

    writer.writerow(header)
    yield (BOM if bom else "") + flush()
    for number, row in enumerate(rows, 1):
        writer.writerow([safe_cell(value) for value in row])
        if number % chunk_rows == 0:
            yield flush()
    if buffer.tell():
        yield flush()


def csv_text(header: Sequence[str], rows: Iterable[Iterable[object]], *, bom: bool = False,
             line_end: str = "\r\n", delimiter: str = ",") -> str:
    """The whole CSV as one string (small exports)."""
    return "".join(iter_csv(header, rows, bom=bom, line_end=line_end, delimiter=delimiter))


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet; more rows continue on a new sheet


def _xlsx_cell(value: object) -> str | int | float | Decimal:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):  # no number Excel can show
        return ""
    return safe_cell(value)


def iter_xlsx(header: Sequence[str], rows: Iterable[Iterable[object]], *,
              sheet: str = "export", chunk_size: int = 256 * 1024) -> Iterator[bytes]:
    """An XLSX workbook, built in constant memory and streamed in chunks.

    Text cells are written as strings (never parsed as formulas or URLs) and also get the
    same `'` guard as the CSV, so a copy-paste into another sheet stays inert. Nothing is
    yielded until the workbook is complete (the zip's directory comes last).
    """
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {
            "constant_memory": True, "strings_to_formulas": False,
            "strings_to_urls": False, "strings_to_numbers": False, "in_memory": False})
        bold = workbook.add_format({"bold": True})
        worksheet: Any  # an XlsxWriter worksheet (the library is untyped)
        worksheet, row_number, sheets = None, XLSX_MAX_ROWS, 0
        for row in rows:
            if row_number >= XLSX_MAX_ROWS:
                sheets += 1
                worksheet = workbook.add_worksheet(sheet if sheets == 1 else f"{sheet} {sheets}")
                worksheet.write_row(0, 0, [str(name) for name in header], bold)
                row_number = 1
            for column, value in enumerate(row):
                cell = _xlsx_cell(value)
                if isinstance(cell, str):
                    worksheet.write_string(row_number, column, cell)
                else:
                    worksheet.write_number(row_number, column, cell)
            row_number += 1
        if worksheet is None:
            worksheet = workbook.add_worksheet(sheet)
            worksheet.write_row(0, 0, [str(name) for name in header], bold)
        workbook.close()
        with open(path, "rb") as finished:
            while chunk := finished.read(chunk_size):
                yield chunk
    finally:
        os.unlink(path)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Iterable[object]], **kwargs: Any) -> bytes:
    """The whole workbook at once (small exports, tests)."""
    return b"".join(iter_xlsx(header, rows, **kwargs))
