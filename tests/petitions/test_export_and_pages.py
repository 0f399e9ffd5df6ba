"""Organizer reading at scale: the streamed CSV export and keyset pages of signatures."""
import csv
import io

from campaign.petitions import service
from tests.factories import make_campaign, make_signature


def test_csv_export_has_confirmed_signers_only_and_defuses_formulas(app):
    campaign = make_campaign()
    make_signature(campaign, full_name="=HYPERLINK(\"http://evil\")", comment="+1 agreed")
    make_signature(campaign, full_name="Айгуль Ким", email="aigul@example.org")
    make_signature(campaign, full_name="Not Yet", confirmed=False)
    text = "".join(service.iter_signatures_csv(campaign.id, chunk_rows=1))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["full_name"] for row in rows] == ["'=HYPERLINK(\"http://evil\")", "Айгуль Ким"]
    assert rows[0]["comment"] == "'+1 agreed"
    assert rows[1]["email"] == "aigul@example.org"
    assert len(rows[1]["confirmed_at"]) == 19  # YYYY-MM-DD HH:MM:SS


def test_csv_export_of_an_empty_campaign_is_just_the_header(app):
    campaign = make_campaign()
    assert "".join(service.iter_signatures_csv(campaign.id)) == (
        ",".join(service.CSV_COLUMNS) + "\r\n")


def test_keyset_pages_cover_every_signature_once_newest_first(app):
    campaign = make_campaign()
    made = [make_signature(campaign).id for _ in range(7)]
    seen, after = [], None
    while page := service.signatures_page(campaign.id, after=after, limit=3):
        seen += [signature.id for signature in page]
        after = (page[-1].confirmed_at, page[-1].id)
    assert seen == sorted(made, reverse=True)
