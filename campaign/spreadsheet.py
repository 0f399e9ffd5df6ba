"""The one CSV writer every export uses, with the spreadsheet-formula guard.

A text cell starting like a formula (`=`, `+`, `-`, `@`, tab, carriage return) would run as
one when a spreadsheet opens the file (OWASP "CSV injection"); it gets a leading `'`.
Numbers are left alone (a negative amount is a number, not a formula). Signatures (both
exports), donations, the delivery's canonical export and the open-data files all write
through here; an XLSX writer belongs here too, beside it.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

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


def iter_csv(header: Sequence[str], rows: Iterable[Iterable[object]], *, bom: bool = False,
             line_end: str = "\r\n", chunk_rows: int = 500) -> Iterator[str]:
    """CSV text in chunks of `chunk_rows` rows, streamed: memory stays flat for any size."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)

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
             line_end: str = "\r\n") -> str:
    """The whole CSV as one string (small exports)."""
    return "".join(iter_csv(header, rows, bom=bom, line_end=line_end))
