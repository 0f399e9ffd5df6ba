"""Console exports open right in the organizer's spreadsheet: CSV with the separator and BOM
their Excel expects (or the other, on request), XLSX read back with openpyxl; every cell
through the formula guard; hostile values and parameters never break the download."""
from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from campaign.spreadsheet import CsvDialect
from tests.conftest import login
from tests.factories import make_campaign, make_signature, make_user

HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\tTAB", "\rCR", "Айгуль, \"Ма;ша\"\nline", "王小明 =1"]

_OOXML_ESCAPE = re.compile(r"_x([0-9A-F]{4})_")


@pytest.fixture
def organizer(client, app):
    campaign = make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return user, campaign


def _csv_rows(body: bytes, delimiter: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""),
                               delimiter=delimiter))


@pytest.mark.parametrize("language, delimiter", [
    ("ru", ";"), ("de", ";"), ("fr", ";"), ("kk", ";"), ("ky", ";"), ("en", ","),
    ("zh", ",")])
def test_csv_default_follows_the_console_language(organizer, client, language, delimiter):
    _user, campaign = organizer
    make_signature(campaign, full_name="Айгуль Ма", email="aigul@example.org")
    response = client.get(f"/organize/c/{campaign.slug}/signatures.csv",
                          headers={"Accept-Language": language})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # Excel then reads UTF-8
    header = body.decode("utf-8-sig").split("\r\n")[0]
    assert header.split(delimiter)[:3] == ["id", "full_name", "email"]
    assert _csv_rows(body, delimiter)[0]["full_name"] == "Айгуль Ма"
    assert "attachment" in response.headers["Content-Disposition"]


def test_the_organizer_can_choose_the_other_dialect(organizer, client):
    _user, campaign = organizer
    make_signature(campaign, full_name="Anna; Petrova, Jr")
    ru = {"Accept-Language": "ru"}
    body = client.get(f"/organize/c/{campaign.slug}/signatures.csv?sep=comma&bom=0",
                      headers=ru).get_data()
    assert body.startswith(b"id,full_name,")
    assert _csv_rows(body, ",")[0]["full_name"] == "Anna; Petrova, Jr"
    body = client.get(f"/organize/c/{campaign.slug}/signatures.csv?sep=semicolon").get_data()
    assert _csv_rows(body, ";")[0]["full_name"] == "Anna; Petrova, Jr"
    # Nonsense choices fall back to the language's default, never an error.
    # (A NUL byte in any query is refused with 400 before any view: tests/hostile.)
    assert client.get(f"/organize/c/{campaign.slug}/signatures.csv?sep=%00").status_code == 400
    for junk in ("sep=tab&bom=yes", "sep[]=x", "kind=xlsx&sep=comma"):
        response = client.get(f"/organize/c/{campaign.slug}/signatures.csv?{junk}",
                              headers=ru)
        assert response.status_code == 200 and response.get_data(), junk
    assert client.get(f"/organize/c/{campaign.slug}/signatures.ods").status_code == 404


def test_csv_and_xlsx_neutralise_hostile_cells(organizer, client):
    _user, campaign = organizer
    for number, value in enumerate(HOSTILE):
        make_signature(campaign, full_name=f"Name {number}", email=f"h{number}@example.org",
                       comment=value)
    expected = ["'" + v if v[0] in "=+-@\t\r" else v for v in HOSTILE]

    for sep, delimiter in (("comma", ","), ("semicolon", ";")):
        body = client.get(f"/organize/c/{campaign.slug}/signatures.csv?sep={sep}").get_data()
        assert [row["comment"] for row in _csv_rows(body, delimiter)] == expected

    response = client.get(f"/organize/c/{campaign.slug}/signatures.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].endswith('-signatures.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("id", "full_name", "email")
    # Control characters are stored as OOXML escapes (_x000D_), which Excel shows as the
    # character itself.
    comments = [_OOXML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), row[header.index("comment")])
                for row in rows[1:]]
    assert comments == expected
    assert not any(isinstance(c, str) and c.startswith("=") for row in rows for c in row)
    ids = [row[0] for row in rows[1:]]
    assert ids == sorted(ids) and all(isinstance(i, int) for i in ids)


def test_xlsx_cells_are_strings_not_formulas(organizer, client):
    _user, campaign = organizer
    make_signature(campaign, full_name="=1+1", email="f@example.org")
    body = client.get(f"/organize/c/{campaign.slug}/signatures.xlsx").get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "'=1+1" and cell.data_type == "s"


def test_exports_respect_filters_and_are_audited(organizer, client):
    _user, campaign = organizer
    make_signature(campaign, full_name="Kyrgyz Friend", country="KG")
    make_signature(campaign, full_name="Kazakh Friend", country="KZ")
    body = client.get(f"/organize/c/{campaign.slug}/signatures.xlsx?country=KG").get_data()
    rows = list(openpyxl.load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(
        values_only=True))
    assert [row[1] for row in rows[1:]] == ["Kyrgyz Friend"]
    from campaign.audit.models import AuditEntry
    from campaign.extensions import db
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert "signature.export_xlsx" in actions


def test_the_signatures_page_offers_every_format(organizer, client):
    _user, campaign = organizer
    page = client.get(f"/organize/c/{campaign.slug}/signatures?country=KG&sep=x",
                      headers={"Accept-Language": "ru"}).get_data(as_text=True)
    xlsx = page.index(f"/organize/c/{campaign.slug}/signatures.xlsx?country=KG")
    semicolon = page.index("signatures.csv?country=KG&amp;sep=semicolon")
    comma = page.index("signatures.csv?country=KG&amp;sep=comma")
    assert xlsx < semicolon < comma  # the Russian Excel's choice first
    page = client.get(f"/organize/c/{campaign.slug}/signatures").get_data(as_text=True)
    assert page.index("sep=comma") < page.index("sep=semicolon")


def test_an_empty_export_is_still_a_workbook(organizer, client):
    _user, campaign = organizer
    body = client.get(f"/organize/c/{campaign.slug}/signatures.xlsx").get_data()
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert rows == [tuple(rows[0])] and rows[0][0] == "id"


def test_other_campaigns_exports_are_refused(organizer, client):
    other = make_campaign()
    for kind in ("csv", "xlsx"):
        assert client.get(f"/organize/c/{other.slug}/signatures.{kind}").status_code == 403
        assert client.get(f"/organize/c/{other.slug}/donations.{kind}").status_code == 403


def test_dialect_for_locale():
    assert CsvDialect.for_locale("de_AT") == CsvDialect(";", True)
    assert CsvDialect.for_locale("en") == CsvDialect(",", True)
    assert CsvDialect.for_locale(None).name == "comma"
    assert CsvDialect.from_args({"sep": "comma", "bom": "0"}, "ru") == CsvDialect(",", False)
