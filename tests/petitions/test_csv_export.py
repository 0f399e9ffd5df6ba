"""The console's CSV export reads its cells as text from the driver's cursor and joins them
without csv.writer where it can, and streams compressed: what the organizer's spreadsheet
opens must be, byte for byte, what csv.writer and the formula guard write from the typed
rows (the export before both changes), on SQLite and PostgreSQL."""
from __future__ import annotations

import gzip
import random
from datetime import datetime

import pytest

from campaign.extensions import db
from campaign.petitions import custom_fields, lifecycle
from campaign.petitions.console import moderation
from campaign.petitions.models import Signature
from campaign.spreadsheet import BOM, csv_text
from tests.conftest import login
from tests.factories import make_campaign, make_signature, make_user

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd

NAMES = ["Айгуль Ма", "王小明", "=HYPERLINK(\"http://evil\",\"x\")", "+7 700 123", "-minus",
         "@SUM(A1)", "Anna; Petrova, Jr", 'Say "hi"', "Zhanar\u00a0Ospanova", "Ömer Öztürk",
         "Nguyễn Văn A", "مریم", "O'Brien", "Ayşe =1"]
COMMENTS = [None, "", "Line one\nline two", "=cmd|' /C calc'!A0", "\tTAB", "\rCR",
            "a,b;c", "Готово 👍", "-1", 'quote " inside']
TIMES = [datetime(2026, 2, 7, 10, 0, 0), datetime(2026, 2, 7, 10, 0, 1, 5),
         datetime(2026, 2, 7, 10, 0, 2, 120000), datetime(1999, 12, 31, 23, 59, 59, 999999)]


def _define(campaign, key, kind, choices=()):
    return custom_fields.add_field(campaign.id, custom_fields.FieldDefinition(
        key=key, kind=kind, labels={"en": key}, required=False, privacy="organizers",
        choices=[{"value": value, "labels": {"en": value}} for value in choices]))


@pytest.fixture
def varied(client, app):
    """Signatures of every kind an export meets: scripts and formulas in names and
    comments, custom fields answered or not, several countries, languages and statuses,
    times with and without microseconds, an invalidation reason; an organizer logged in."""
    campaign = make_campaign(locales=("en", "ru"))
    _define(campaign, "profession", "text")
    _define(campaign, "region", "choice", choices=("almaty", "zhambyl"))
    rng = random.Random(18)
    for number in range(60):
        custom = {}
        if number % 3:
            custom["profession"] = rng.choice(["Teacher", "=1+1", "Врач, хирург", "-", ""])
        if number % 4 == 0:
            custom["region"] = rng.choice(["almaty", "zhambyl"])
        make_signature(campaign, full_name=NAMES[number % len(NAMES)],
                       email=f"s{number}+tag@example.org" if number % 5 else f"-{number}@x.kz",
                       country=["KZ", "KG", "RU", "DE", "CN"][number % 5],
                       locale=["en", "ru", "kk", "zh"][number % 4],
                       comment=COMMENTS[number % len(COMMENTS)] or None,
                       updates=number % 2 == 0, custom={k: v for k, v in custom.items() if v},
                       confirmed=number % 7 != 3)
    signatures = list(db.session.scalars(db.select(Signature).where(
        Signature.campaign_id == campaign.id).order_by(Signature.id)))
    for number, signature in enumerate(signatures):
        signature.created_at = TIMES[number % len(TIMES)]
        if signature.confirmed_at is not None:
            signature.confirmed_at = TIMES[(number + 1) % len(TIMES)]
    lifecycle.invalidate(signatures[5], "=duplicate, \"x\"")
    signatures[6].comment_hidden = True
    db.session.commit()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return campaign


def _before(campaign, query: str, delimiter: str, bom: bool) -> bytes:
    """The export as it was written before: typed rows through csv.writer and safe_cell."""
    flt = moderation.SignatureFilter.from_args(dict(
        pair.split("=") for pair in query.split("&") if pair))
    text = csv_text(moderation.export_header(campaign.id),
                    moderation.export_rows(campaign.id, flt), delimiter=delimiter)
    return ((BOM if bom else "") + text).encode("utf-8")


@pytest.mark.parametrize("query, delimiter, bom", [
    ("", ",", True), ("sep=semicolon", ";", True), ("status=confirmed&sep=comma&bom=0", ",",
                                                     False),
    ("country=KG", ",", True), ("q=Айгуль", ",", True)])
def test_the_csv_is_byte_for_byte_the_typed_rows_through_csv_writer(varied, client, query,
                                                                     delimiter, bom):
    expected = _before(varied, query, delimiter, bom)
    assert expected.count(b"\n") > 2 or "country" in query or "q=" in query
    url = f"/organize/c/{varied.slug}/signatures.csv?{query}"
    plain = client.get(url)
    assert plain.headers.get("Content-Encoding") is None
    assert plain.get_data() == expected
    gzipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gzipped.get_data()) == expected
    zstded = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert zstded.headers["Content-Encoding"] == "zstd"
    assert zstd.decompress(zstded.get_data()) == expected
    for response in (plain, gzipped, zstded):
        assert response.mimetype == "text/csv"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == "no-store"


def test_hostile_cells_stay_defused_in_the_compressed_download(varied, client):
    body = gzip.decompress(client.get(f"/organize/c/{varied.slug}/signatures.csv",
                                      headers={"Accept-Encoding": "gzip"}).get_data())
    text = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+7 700 123" in text and "'@SUM(A1)" in text
    assert "'=1+1" in text and "'=cmd|" in text and '"\'=duplicate, ""x"""' in text
    assert ",=" not in text and "\n=" not in text


def test_the_client_chooses_the_encoding(varied, client):
    url = f"/organize/c/{varied.slug}/signatures.csv"
    assert client.get(url, headers={"Accept-Encoding": "zstd;q=0, gzip"}).headers[
        "Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(
        url, headers={"Accept-Encoding": "br, identity"}).headers
    assert "Content-Encoding" not in client.get(
        url, headers={"Accept-Encoding": "gzip;q=0"}).headers
    # The first piece (the header line) leaves before any row is read.
    response = client.get(url, headers={"Accept-Encoding": "gzip"}, buffered=False)
    first = next(iter(response.response))
    assert gzip.GzipFile(fileobj=__import__("io").BytesIO(first)).read(2) == BOM.encode()[:2]
    response.close()


def test_the_compressed_export_is_audited_and_for_the_campaigns_organizers_only(
        varied, client, app):
    from campaign.audit.service import entries
    client.get(f"/organize/c/{varied.slug}/signatures.csv",
               headers={"Accept-Encoding": "gzip"}).get_data()
    assert any(entry.action == "signature.export_csv"
               for entry in entries(campaign_id=varied.id))
    other = make_campaign()
    assert client.get(f"/organize/c/{other.slug}/signatures.csv",
                      headers={"Accept-Encoding": "gzip"}).status_code == 403
    client.get("/organize/logout")
    anonymous = app.test_client().get(f"/organize/c/{varied.slug}/signatures.csv",
                                      headers={"Accept-Encoding": "gzip"})
    assert anonymous.status_code in (302, 401, 403)
