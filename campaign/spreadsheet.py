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

XLSX: written here as it is streamed (see iter_xlsx): the zip of the workbook's XML parts
goes out while the rows are read, so the first byte leaves at once and a million rows cost
a few MB of memory. (XlsxWriter, used before, builds the whole file before its first byte
and spent most of the export's time per cell; tests read the result back with openpyxl.)
"""
from __future__ import annotations

import csv
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
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


# Types csv.writer writes as `safe_cell` would have them: the number itself, "" for None,
# str() of a date or time (its isoformat with a space), the text (when it starts safely).
_PLAIN_TYPES = frozenset({str, int, float, Decimal, type(None), datetime, date})


def _formula_start(delimiter: str, line_end: str) -> re.Pattern[str]:
    """Where a written cell starts like a formula: after a delimiter or a line break,
    possibly inside its quotes (search "\n" + the text to see its first cell too). May also
    match inside a quoted cell (then the rows are simply written the careful way); never
    misses a cell. A character class first: the engine scans for it at C speed."""
    # With a CRLF line end a cell starting with a carriage return is always quoted, and an
    # unquoted one is the line end after an empty last cell; with LF it need not be quoted.
    bare = r"[=+\-@\t]" if "\r" in line_end else r"[=+\-@\t\r]"
    return re.compile("[" + re.escape(delimiter) + r"\n](?:" + bare + r'|"[=+\-@\t\r])')


def _writer_chunk(writer: Any, buffer: io.StringIO, risky: re.Pattern[str],
                  batch: Sequence[Sequence[object]]) -> str:
    """A chunk written by csv.writer: whole when no cell could start like a formula and
    every value is one csv.writer writes as `safe_cell` would, else cell by cell through
    `safe_cell`. The reference every faster path must equal."""
    if _PLAIN_TYPES.issuperset(map(type, itertools.chain.from_iterable(batch))):
        writer.writerows(batch)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if risky.search(text) is None and risky.match("\n" + text[:2]) is None:
            return text
    writer.writerows([safe_cell(value) for value in row] for row in batch)
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def iter_csv(header: Sequence[str], rows: Iterable[Iterable[object]], *, bom: bool = False,
             line_end: str = "\r\n", chunk_rows: int = 500,
             delimiter: str = ",") -> Iterator[str]:
    """CSV text in chunks of `chunk_rows` rows, streamed: memory stays flat for any size.

    Each chunk is written whole by csv.writer (C); only a chunk with a cell that could start
    like a formula, or with a value csv.writer would write otherwise than `safe_cell`
    (booleans, other types), is written again cell by cell through `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end, delimiter=delimiter)
    risky = _formula_start(delimiter, line_end)
    writer.writerow(header)
    yield (BOM if bom else "") + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    source = iter(rows)
    while True:
        batch = [row if isinstance(row, (tuple, list)) else tuple(row)
                 for row in itertools.islice(source, chunk_rows)]
        if not batch:
            break
        yield _writer_chunk(writer, buffer, risky, batch)


# --- CSV of text rows in chunks, as a cursor hands them over (the big exports) ------------
# csv.writer costs ~5 us a row of 15 cells; a million-row export is mostly that. When every
# cell of a chunk is text, the chunk is joined with str.join instead, after checks that make
# the result csv.writer's own bytes: no cell holds the delimiter, a quote or a line break
# (then csv.writer would not quote it) and none starts like a formula (then safe_cell would
# leave it alone). The checks run at C speed over the encoded chunk. A chunk that fails them
# is redone column by column: only the columns with such a cell go cell by cell (safe_cell,
# then csv.writer's quoting rule); and anything else (numbers, None, dates, ragged rows)
# goes through csv.writer as above. tests/test_spreadsheet.py compares all three with
# csv.writer over random cells.

_FORMULA_FIRST_BYTES = frozenset(start.encode() for start in FORMULA_STARTS)


def _cell_start_table(delimiter: str) -> bytes:
    """bytes.translate table: 1 where a cell starts next (the delimiter, a line feed), 2 for
    a formula's first character (a carriage return is checked apart), 0 for the rest."""
    table = bytearray(256)
    for start in FORMULA_STARTS:
        if start != "\r":
            table[ord(start)] = 2
    table[ord(delimiter)] = table[ord("\n")] = 1
    return bytes(table)


def _joined_chunk(chunk: Sequence[Sequence[object]], delimiter: str, line_end: str,
                  table: bytes) -> bytes | None:
    """The chunk joined as it is, when that is what csv.writer and the guard write."""
    try:
        text = line_end.join(map(delimiter.join, chunk))  # type: ignore[arg-type]
        data = (text + line_end).encode()
    except TypeError:  # a cell that is not text
        return None
    rows = len(chunk)
    # Counting separators finds a cell holding one; rows of one cell ("" is written '""')
    # and a carriage return anywhere but in the line ends go the careful way.
    if (b'"' in data or data.count(b"\n") != rows
            or data.count(b"\r") != rows * line_end.count("\r")
            or min(map(len, chunk)) < 2
            or data.count(delimiter.encode()) != sum(map(len, chunk)) - rows
            or data[:1] in _FORMULA_FIRST_BYTES or b"\x01\x02" in data.translate(table)):
        return None
    return data


def _quoted(text: str, delimiter: str) -> str:
    """csv.writer's minimal quoting of one cell (line end CRLF)."""
    if delimiter in text or '"' in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _column_chunk(chunk: Sequence[Sequence[object]], delimiter: str) -> bytes | None:
    """The chunk with only its columns holding a cell to quote or guard written cell by
    cell (rows of equal width, every cell text, line end CRLF); None otherwise."""
    width = len(chunk[0])
    if width < 2 or max(map(len, chunk)) != min(map(len, chunk)):
        return None
    columns: list[Sequence[Any]] = list(zip(*chunk, strict=True))
    for index, column in enumerate(columns):
        try:
            probe = "\n".join(column)
        except TypeError:
            return None
        if ('"' in probe or "\r" in probe or delimiter in probe
                or probe.count("\n") != len(column) - 1 or probe[:1] in _FORMULA_FIRST
                or any("\n" + start in probe for start in FORMULA_STARTS)):
            columns[index] = [_quoted(str(safe_cell(cell)), delimiter) for cell in column]
    return ("\r\n".join(map(delimiter.join, zip(*columns, strict=True))) + "\r\n").encode()


def batched(rows: Iterable[Iterable[object]], size: int = 1000
            ) -> Iterator[Sequence[Sequence[object]]]:
    """Rows in lists of `size` (for iter_csv_chunks from a row iterator)."""
    source = iter(rows)
    while batch := [row if isinstance(row, (tuple, list)) else tuple(row)
                    for row in itertools.islice(source, size)]:
        yield batch


def iter_csv_chunks(header: Sequence[str], chunks: Iterable[Sequence[Sequence[object]]], *,
                    bom: bool = False, line_end: str = "\r\n",
                    delimiter: str = ",") -> Iterator[bytes]:
    """UTF-8 CSV, one piece for the header and one per chunk of rows (lists of tuples, as
    a cursor's fetchmany hands them over): the bytes iter_csv would write, streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end, delimiter=delimiter)
    risky = _formula_start(delimiter, line_end)
    writer.writerow(header)
    yield ((BOM if bom else "") + buffer.getvalue()).encode()
    buffer.seek(0)
    buffer.truncate()
    fast = len(delimiter.encode()) == 1 and delimiter not in '"\r\n'
    table = _cell_start_table(delimiter) if fast else b""
    for chunk in chunks:
        if not chunk:
            continue
        data = _joined_chunk(chunk, delimiter, line_end, table) if fast else None
        if data is None and fast and line_end == "\r\n":
            data = _column_chunk(chunk, delimiter)
        if data is None:
            data = _writer_chunk(writer, buffer, risky, chunk).encode()
        yield data


def csv_text(header: Sequence[str], rows: Iterable[Iterable[object]], *, bom: bool = False,
             line_end: str = "\r\n", delimiter: str = ",") -> str:
    """The whole CSV as one string (small exports)."""
    return "".join(iter_csv(header, rows, bom=bom, line_end=line_end, delimiter=delimiter))


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet; more rows continue on a new sheet

# --- XLSX, streamed as it is written ------------------------------------------------------
# A workbook is a zip of XML parts. The zip is written to a sink the generator empties as it
# goes (zipfile writes to an unseekable stream with data descriptors), so the first bytes
# leave before any row is read, and memory holds one block of rows plus the compressor's
# window whatever the size. The sheets come first and the parts that name them
# ([Content_Types].xml, the workbook and its relationships) last: how many sheets there are
# is known only at the end (a zip is read from its central directory, so the order of its
# entries does not matter to Excel, LibreOffice or openpyxl; ExcelJS's streaming writer
# does the same). Strings are inline (no shared-string table to hold in memory), cells
# carry their reference, and text is escaped as Excel's own writers do (control characters
# as _xHHHH_). A zip entry over 4 GB (a sheet of 1,048,576 rows averaging over 4 KB each)
# is not supported: zip64 entries are not written, as Excel warns about them.

_COLUMN_LETTERS: list[str] = []


def _column(index: int) -> str:
    """Excel's column name of a 0-based index (A, ..., Z, AA, ...)."""
    while len(_COLUMN_LETTERS) <= index:
        number, name = len(_COLUMN_LETTERS) + 1, ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        _COLUMN_LETTERS.append(name)
    return _COLUMN_LETTERS[index]


_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f&<>]|_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]|_x[0-9A-Fa-f]{4}_")


def _escape_match(match: re.Match[str]) -> str:
    found = match.group(0)
    return "_x005F" + found if len(found) > 1 else f"_x{ord(found):04X}_"


def _escape_text(text: str) -> str:
    """XML-escaped, with control characters (which XML cannot hold) as Excel's _xHHHH_
    escapes and a literal _xHHHH_ kept literal, as Excel's own writers do."""
    text = _CONTROL.sub(_escape_match, text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row_xml(number: int, refs: list[str], row: Iterable[object], style: str = "") -> str:
    """One <row> of the sheet; every cell through the same guard as the CSV. (The hot loop
    of a big export: plain strings, the common case, take the shortest path.)"""
    cells = []
    n = str(number)
    for index, value in enumerate(row):
        if isinstance(value, str):
            text = value
        elif value is None:
            continue
        elif isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, (int, float, Decimal)):
            number_value = value if isinstance(value, int) else float(value)
            if not math.isfinite(number_value):
                continue  # no number Excel can show (NaN, infinity)
            ref = refs[index] if index < len(refs) else _column(index)
            cells.append(f'<c r="{ref}{n}"{style}><v>{number_value!r}</v></c>')
            continue
        elif isinstance(value, datetime):
            text = value.isoformat(sep=" ")
        else:
            text = str(safe_cell(value))
        if not text:
            continue
        if text[0] in _FORMULA_FIRST:
            text = "'" + text
        if _SPECIAL.search(text):
            text = _escape_text(text)
        ref = refs[index] if index < len(refs) else _column(index)
        if text[0].isspace() or text[-1].isspace():
            cells.append(f'<c r="{ref}{n}"{style} t="inlineStr"><is>'
                         f'<t xml:space="preserve">{text}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}{n}"{style} t="inlineStr"><is><t>{text}</t></is></c>')
    return f'<row r="{n}">' + "".join(cells) + "</row>"


_NS = "http://schemas.openxmlformats.org/"
_REL = _NS + "officeDocument/2006/relationships"
_SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{_NS}spreadsheetml/2006/main" xmlns:r="{_REL}">'
                '<sheetData>')
_SHEET_END = "</sheetData></worksheet>"
_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              f'<Relationships xmlns="{_NS}package/2006/relationships">'
              f'<Relationship Id="rId1" Type="{_REL}/officeDocument" '
              'Target="xl/workbook.xml"/></Relationships>')
# A default font, the same in bold (the header row), and the fills Excel requires.
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<styleSheet xmlns="{_NS}spreadsheetml/2006/main">'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
           '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
           'borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" '
           'fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" '
           'borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1">'
           '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _sheet_name(base: str, number: int) -> str:
    """A valid, escaped sheet name: at most 31 characters, none of []:*?/\\."""
    name = re.sub(r"[\[\]:*?/\\]", " ", base).strip("' ")[:24] or "export"
    if number > 1:
        name = f"{name} {number}"
    return _escape_text(name).replace('"', "&quot;")


def _closing_parts(sheet: str, sheets: int) -> dict[str, str]:
    names = "".join(f'<sheet name="{_sheet_name(sheet, i)}" sheetId="{i}" r:id="rId{i}"/>'
                    for i in range(1, sheets + 1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                   f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, sheets + 1))
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheets + 1))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return {
        "xl/workbook.xml": (f'{head}<workbook xmlns="{_NS}spreadsheetml/2006/main" '
                            f'xmlns:r="{_REL}"><sheets>{names}</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{_NS}package/2006/relationships">{rels}'
            f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" '
            'Target="styles.xml"/></Relationships>'),
        "[Content_Types].xml": (
            f'{head}<Types xmlns="{_NS}package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"),
    }


class _Sink(io.RawIOBase):
    """Where the zip is written; the generator takes what has been written so far."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.chunks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        self.size = 0
        return data


def iter_xlsx(header: Sequence[str], rows: Iterable[Iterable[object]], *,
              sheet: str = "export", chunk_size: int = 256 * 1024,
              block_rows: int = 1000) -> Iterator[bytes]:
    """An XLSX workbook streamed while it is written: the first bytes before any row is
    read, then about every `chunk_size` compressed bytes; memory stays flat.

    Text cells are inline strings (never formulas, URLs or numbers) with the same `'` guard
    as the CSV, so a copy-paste into another sheet stays inert; numbers are numbers. Rows
    past Excel's 1,048,576 per sheet continue on a new sheet, each with the header.
    """
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    archive.writestr("_rels/.rels", _ROOT_RELS)
    archive.writestr("xl/styles.xml", _STYLES)
    yield sink.take()
    refs = [_column(index) for index in range(max(len(header), 64))]
    header_row = [str(name) for name in header]
    sheets = 0
    rows_iter = iter(rows)
    exhausted = False
    while not exhausted:
        sheets += 1
        with archive.open(f"xl/worksheets/sheet{sheets}.xml", "w") as out:
            out.write(_SHEET_START.encode())
            out.write(_row_xml(1, refs, header_row, ' s="1"').encode())
            number = 1
            block: list[str] = []
            for row in rows_iter:
                number += 1
                block.append(_row_xml(number, refs, row))
                if len(block) == block_rows:
                    out.write("".join(block).encode("utf-8", "replace"))
                    block.clear()
                    if sink.size >= chunk_size:
                        yield sink.take()
                if number == XLSX_MAX_ROWS:
                    break
            else:
                exhausted = True
            out.write(("".join(block) + _SHEET_END).encode("utf-8", "replace"))
        if not exhausted:  # the sheet is full: is there another row for the next one?
            try:
                first = next(rows_iter)
            except StopIteration:
                break
            rows_iter = itertools.chain([first], rows_iter)
    for name, xml in _closing_parts(sheet, sheets).items():
        archive.writestr(name, xml)
    archive.close()
    yield sink.take()


def xlsx_bytes(header: Sequence[str], rows: Iterable[Iterable[object]],
               **kwargs: Any) -> bytes:
    """The whole workbook at once (small exports, tests)."""
    return b"".join(iter_xlsx(header, rows, **kwargs))
