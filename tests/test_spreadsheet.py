"""The one CSV writer: formula guard, streaming, and every export going through it."""
from __future__ import annotations

import ast
import csv
import io
from datetime import date, datetime
from decimal import Decimal

from campaign.letters import service as letters
from campaign.spreadsheet import csv_text, iter_csv, safe_cell
from tests.factories import make_campaign, make_signature
from tests.test_architecture import PACKAGE


def test_cells_that_start_like_formulas_are_defused():
    for text in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Айгуль =1") == "Айгуль =1"
    assert safe_cell(None) == "" and safe_cell(True) == "1" and safe_cell(False) == "0"
    assert safe_cell(-5) == -5 and safe_cell(Decimal("-2.50")) == Decimal("-2.50")
    assert safe_cell(datetime(2026, 2, 7, 10, 0)) == "2026-02-07 10:00:00"
    assert safe_cell(date(2020, 2, 8)) == "2020-02-08"


def test_streams_in_chunks_with_an_optional_bom():
    chunks = list(iter_csv(["a"], ([i] for i in range(5)), bom=True, chunk_rows=2))
    assert chunks[0] == "\ufeffa\r\n" and len(chunks) == 4
    assert csv_text(["a", "b"], [["=x", 1]], line_end="\n") == "a,b\n'=x,1\n"


def test_the_delivery_export_defuses_formulas_too(app):
    campaign = make_campaign()
    make_signature(campaign, full_name="=HYPERLINK(\"http://evil\")")
    rows = list(csv.DictReader(io.StringIO(letters.canonical_export(campaign.id).decode())))
    assert rows[0]["full_name"] == "'=HYPERLINK(\"http://evil\")"


def test_no_export_writes_csv_by_itself():
    """csv.writer appears only in spreadsheet.py. targets/service.py writes the directory as
    a data file that `flask targets import` reads back (a quote would corrupt "+41..."
    phone numbers on the way round), so it is the one other writer."""
    allowed = {"spreadsheet.py", "targets/service.py"}
    writers = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter")
                    and isinstance(node.value, ast.Name) and node.value.id == "csv"
                    and relative not in allowed):
                writers.append(f"{relative}:{node.lineno}")
    assert not writers, writers


# --- XLSX, streamed while written ---------------------------------------------------------

def _workbook(data: bytes):
    import openpyxl
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_starts_before_any_row_is_read_and_streams_as_it_goes():
    import secrets

    from campaign.spreadsheet import iter_xlsx
    read = []

    def rows():
        for number in range(20_000):
            read.append(number)
            # Random text does not compress away, so the zip grows as rows come.
            yield (number, secrets.token_hex(16), f"signer{number}@example.org")

    chunks = iter_xlsx(("id", "name", "email"), rows(), chunk_size=64 * 1024)
    first = next(chunks)
    assert first.startswith(b"PK") and read == []  # bytes out before the database is read
    sizes_while_reading = []
    for chunk in chunks:
        if len(read) < 20_000:
            sizes_while_reading.append(len(chunk))
    assert len(sizes_while_reading) >= 3  # not one block at the end


def test_xlsx_cells_read_back_as_written(monkeypatch):
    from campaign import spreadsheet
    rows = [(1, "=cmd", "a\x01b _x0041_ c", None, 2.5, Decimal("3.25"),
             datetime(2026, 1, 2, 3, 4, 5), True, " leading space", "<b>&amp;</b>",
             float("nan"), float("inf"), "Айгүл 王", date(2026, 3, 4))]
    header = ("id", "name", "comment", "none", "float", "decimal", "when", "flag", "space",
              "markup", "nan", "inf", "name2", "day")
    sheet = _workbook(spreadsheet.xlsx_bytes(header, rows)).active
    assert [c.value for c in sheet[1]] == list(header) and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == [
        1, "'=cmd", "a_x0001_b _x005F_x0041_ c", None, 2.5, 3.25, "2026-01-02 03:04:05",
        "1", " leading space", "<b>&amp;</b>", None, None, "Айгүл 王", "2026-03-04"]
    assert sheet["B2"].data_type == "s" and sheet["A2"].data_type == "n"


def test_xlsx_rows_past_the_sheet_limit_continue_on_a_new_sheet_with_the_header(monkeypatch):
    from campaign import spreadsheet
    monkeypatch.setattr(spreadsheet, "XLSX_MAX_ROWS", 4)
    book = _workbook(spreadsheet.xlsx_bytes(["n"], ([i] for i in range(7)), sheet="Korday"))
    assert book.sheetnames == ["Korday", "Korday 2", "Korday 3"]
    assert [[c.value for c in row] for row in book["Korday 2"].iter_rows()] == [
        ["n"], [3], [4], [5]]
    assert [[c.value for c in row] for row in book["Korday 3"].iter_rows()] == [["n"], [6]]
    full = _workbook(spreadsheet.xlsx_bytes(["n"], ([i] for i in range(3))))
    assert full.sheetnames == ["export"]  # exactly full: no empty second sheet
    empty = _workbook(spreadsheet.xlsx_bytes(["a", "b"], []))
    assert [[c.value for c in row] for row in empty.active.iter_rows()] == [["a", "b"]]


def _reference_csv(header, rows, delimiter, line_end):
    """Every cell through safe_cell, one row at a time (what iter_csv must write)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def test_chunks_written_whole_are_what_cell_by_cell_writing_gives():
    """iter_csv writes a chunk with csv.writer at once when no cell can start like a
    formula: a seeded sample of cells (formulas anywhere, quoted cells, delimiters, line
    breaks, booleans, numbers, dates, None) gives the same bytes as the cell-by-cell guard."""
    import random

    rng = random.Random(47)
    texts = ["Айгуль", "=1+1", "a,=b", 'say "hi"', "line\nbreak", "-x@x.test", "+7 700",
             "@me", "\tx", "\rx", "x\r\n=y", "semi;=colon", "plain", "", " =space"]
    values = [*texts, None, True, False, 0, -5, 3.5, Decimal("-2.50"),
              datetime(2026, 2, 7, 10, 0, 1, 5), date(2020, 2, 8)]
    for delimiter, line_end in ((",", "\r\n"), (";", "\r\n"), (",", "\n")):
        safe = ["plain", "Айгуль", 12, None, datetime(2026, 1, 1)]
        # All kinds mixed; only safe cells; safe cells and one kind of other cell.
        pools = [values] * 20 + [safe] * 10 + [[*safe, value] for value in values] * 2
        for pool in pools:
            rows = [tuple(rng.choice(pool) for _ in range(6))
                    for _ in range(rng.randint(0, 30))]
            written = "".join(iter_csv(list("abcdef"), iter(rows), delimiter=delimiter,
                                       line_end=line_end, chunk_rows=rng.randint(1, 7)))
            assert written == _reference_csv(list("abcdef"), rows, delimiter, line_end)


def test_text_chunks_joined_or_by_column_are_what_csv_writer_writes():
    """iter_csv_chunks joins a chunk of text cells without csv.writer when its checks allow,
    or writes only the columns holding a cell to quote or guard cell by cell: random chunks
    of text (formulas, quotes, delimiters, line breaks, NUL, Cyrillic and CJK, empty cells),
    some with other values, ragged rows and one-cell rows, give csv.writer's bytes."""
    import random

    from campaign.spreadsheet import BOM, iter_csv_chunks

    rng = random.Random(18)
    plain = ["plain", "Айгуль Ма", "王小明", "seed-1@bench.example.org", "KZ",
             "2026-02-07 10:00:00", "", "0", "1", "x'y", " space", "a b", "12"]
    special = ["=1+1", "+7 700", "-x", "@me", "\tx", "\rx", "a,b", "a;b", 'say "hi"',
               "line\nbreak", "x\r\ny", "x\x00y", "Айгуль, \"Ма;ша\"\nline", "王小明 =1", "'=x",
               ",=x", "\n=x"]
    others = [None, 5, -5, 2.5, Decimal("-2.50"), True, datetime(2026, 2, 7, 10, 0, 1, 5)]
    for delimiter, line_end, bom in ((",", "\r\n", True), (";", "\r\n", False),
                                     (",", "\n", False)):
        for trial in range(300):
            kind = trial % 6
            width = 1 if kind == 5 else rng.randint(2, 7)
            pool = (plain if kind in (0, 1) else plain * 8 + special if kind in (2, 3)
                    else plain * 8 + special + others)
            chunks = []
            for _ in range(rng.randint(0, 4)):
                rows = []
                for _ in range(rng.randint(0, 12)):
                    cells = width + (rng.randint(-1, 1) if kind == 4 else 0)
                    rows.append(tuple(rng.choice(pool) for _ in range(max(cells, 1))))
                chunks.append(rows)
            header = [f"c{i}" for i in range(width)]
            written = b"".join(iter_csv_chunks(header, chunks, bom=bom, delimiter=delimiter,
                                               line_end=line_end))
            rows = [row for chunk in chunks for row in chunk]
            expected = ((BOM if bom else "")
                        + _reference_csv(header, rows, delimiter, line_end)).encode()
            assert written == expected, (delimiter, line_end, chunks)


def test_text_chunks_stream_one_piece_per_chunk():
    from campaign.spreadsheet import iter_csv_chunks
    pieces = list(iter_csv_chunks(["a", "b"], [[("1", "x")], [], [("2", "=y")]], bom=True))
    assert pieces == ["\ufeffa,b\r\n".encode(), b"1,x\r\n", b"2,'=y\r\n"]
