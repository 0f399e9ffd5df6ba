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
