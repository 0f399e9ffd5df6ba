import csv
import io

import pytest

from campaign.extensions import db
from campaign.organizers import editing
from campaign.petitions.console import moderation, paper
from tests.conftest import login
from tests.factories import make_campaign, make_signature, make_user
from tests.organizers.conftest import post_form


@pytest.fixture
def organizer(client, app):
    campaign = make_campaign()
    user, password = make_user(campaigns=[campaign])
    login(client, user.email, password)
    return user, campaign


def test_keyset_pages_cover_every_signature_once(organizer, client):
    _user, campaign = organizer
    made = {make_signature(campaign).id for _ in range(7)}
    seen, before = [], None
    while True:
        rows, before = moderation.page(campaign.id, moderation.SignatureFilter(), size=3,
                                       before_id=before)
        seen += [row.id for row in rows]
        if before is None:
            break
    assert seen == sorted(made, reverse=True)
    page = client.get(f"/organize/c/{campaign.slug}/signatures").get_data(as_text=True)
    assert "Older signatures" not in page  # 7 < one page


def test_search_by_country_and_status(organizer, client):
    _user, campaign = organizer
    make_signature(campaign, full_name="Kyrgyz Friend", country="KG")
    make_signature(campaign, full_name="Pending Person", confirmed=False)
    page = client.get(f"/organize/c/{campaign.slug}/signatures?country=kg").get_data(
        as_text=True)
    assert "Kyrgyz Friend" in page and "Pending Person" not in page
    page = client.get(f"/organize/c/{campaign.slug}/signatures?status=pending&q=%25"
                      ).get_data(as_text=True)
    assert "No signatures match" in page  # % is a literal, not a wildcard
    page = client.get(f"/organize/c/{campaign.slug}/signatures?status=pending").get_data(
        as_text=True)
    assert "Pending Person" in page and "Kyrgyz Friend" not in page


def test_invalidate_and_restore_keep_the_count_exact(organizer):
    user, campaign = organizer
    signature = make_signature(campaign)
    pending = make_signature(campaign, confirmed=False)
    db.session.refresh(campaign)
    assert campaign.signature_count == 1
    assert moderation.invalidate(user, signature, "fraud")
    assert not moderation.invalidate(user, signature, "fraud again")  # no double uncount
    moderation.invalidate(user, pending, "bot")
    db.session.refresh(campaign)
    assert campaign.signature_count == 0
    assert moderation.restore(user, signature) and not moderation.restore(user, signature)
    moderation.restore(user, pending)
    db.session.refresh(campaign)
    db.session.refresh(pending)
    assert campaign.signature_count == 1 and pending.status == "pending"


def test_hide_a_comment(organizer, client):
    _user, campaign = organizer
    signature = make_signature(campaign, comment="something abusive")
    response = post_form(client, f"/organize/c/{campaign.slug}/signatures", {},
                         f"/organize/c/{campaign.slug}/signatures/{signature.id}/comment/hide")
    assert response.status_code == 302
    db.session.refresh(signature)
    assert signature.comment_hidden


def test_csv_export_neutralises_formulas(organizer, client):
    _user, campaign = organizer
    make_signature(campaign, full_name="=HYPERLINK(\"http://evil\")", comment="+1 -2 @x")
    body = client.get(f"/organize/c/{campaign.slug}/signatures.csv").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert row["full_name"].startswith("'=") and row["comment"].startswith("'+")


def test_export_streams(organizer, client):
    _user, campaign = organizer
    for _ in range(3):
        make_signature(campaign)
    response = client.get(f"/organize/c/{campaign.slug}/signatures.json",
                          buffered=False)
    assert response.is_streamed
    chunks = list(response.response)
    assert len(chunks) > 2  # written piece by piece, not built in memory
    response.close()


def _upload(client, campaign, data: bytes, **extra):
    return post_form(client, f"/organize/c/{campaign.slug}/paper",
                     {"file": (io.BytesIO(data), "batch.csv"), **extra},
                     content_type="multipart/form-data")


def test_paper_import_utf8_with_bom_and_duplicates(organizer, client):
    _user, campaign = organizer
    make_signature(campaign, email="already@example.org")
    data = ("\ufefffull_name,email,country,updates\n"
            "Айгуль,aigul@example.org,KZ,да\n"
            "Again,AIGUL@example.org,KZ,\n"
            "Old,already@example.org,KZ,\n"
            "Bad Country,bc@example.org,XX,\n"
            "Ctl\x07Char,cc@example.org,KZ,\n").encode("utf-8")
    response = _upload(client, campaign, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for line in (3, 4, 5, 6):
        assert f"Line {line}:" in page
    assert "Line 2:" not in page
    response = _upload(client, campaign, data, valid_only="y")
    assert "1 signature imported" in response.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.signature_count == 2


def test_paper_import_refuses_unreadable_files(organizer, client):
    _user, campaign = organizer
    for data, message in ((b"\x00\x81\xfe\xff garbage \x9f\x98", "encoding"),
                          (b"", "empty"),
                          (b"name,mail\nx,y\n", "missing: full_name, email, country"),
                          (b"full_name,email,country\n", "no signatures")):
        response = _upload(client, campaign, data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), message


def test_paper_import_row_limit(organizer, client, app):
    _user, campaign = organizer
    app.config["PAPER_IMPORT_MAX_ROWS"] = 2
    data = "full_name,email,country\n" + "".join(
        f"P{i},p{i}@example.org,KZ\n" for i in range(3))
    response = _upload(client, campaign, data.encode())
    assert response.status_code == 422 and "more than 2 rows" in response.get_data(
        as_text=True)
    db.session.refresh(campaign)
    assert campaign.signature_count == 0


def test_paper_decode_rejects_non_cyrillic_legacy_text():
    with pytest.raises(paper.ImportFileError):
        paper.decode("Zoë Müller".encode("latin-1") + bytes([0xC0, 0xDF] * 3))
    assert paper.decode("Иван".encode("cp1251")) == ("Иван", "cp1251")
    assert paper.decode("\ufeffA".encode("utf-8")) == ("A", "utf-8")


def test_status_transitions(organizer):
    user, _campaign = organizer
    draft = make_campaign(status="draft")
    with pytest.raises(editing.EditError):
        editing.transition(user, draft, "closed")
    editing.transition(user, draft, "live")
    with pytest.raises(editing.EditError, match="slug_fixed"):
        editing.update_settings(user, draft, slug="new-one", goal=1, default_locale="en",
                                deadline=None)
    editing.transition(user, draft, "closed")
    assert not draft.is_open
    editing.transition(user, draft, "delivered")
    assert draft.delivered_at is not None
    with pytest.raises(editing.EditError):
        editing.transition(user, draft, "live")
    untitled = make_campaign(status="draft", locales=("en",))
    untitled.texts.clear()
    db.session.commit()
    with pytest.raises(editing.EditError, match="default_text_needed"):
        editing.transition(user, untitled, "live")


def test_analytics_page_draws_svg(organizer, client):
    _user, campaign = organizer
    make_signature(campaign, country="KZ", locale="ru")
    make_signature(campaign, confirmed=False)
    page = client.get(f"/organize/c/{campaign.slug}/analytics").get_data(as_text=True)
    assert "<svg" in page and "<script" not in page
    assert 'data-rate="0.500"' in page and "(KZ)" in page and "(ru)" in page
