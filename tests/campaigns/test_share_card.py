"""The share card (og:image): 1200 x 630, drawn on our host per language with the title and
the live count (Cyrillic and Chinese letters drawn, not boxes), kept and not drawn again for
every request, named in the page with an absolute URL, size and alt text."""
from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

from PIL import Image, ImageDraw

from campaign.campaigns import service as campaigns
from campaign.campaigns import share_card
from campaign.extensions import db
from tests.factories import make_campaign, make_signature


def meta(page: str, prop: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', page)
    assert found, prop
    return unescape(found.group(1))


def test_page_names_its_card_with_an_absolute_url_size_and_alt(client, app):
    campaign = make_campaign(locales=("en", "ru"))
    page = client.get(f"/ru/c/{campaign.slug}").get_data(as_text=True)
    url = meta(page, "og:image")
    assert url.startswith(f"http://campaign.test/ru/c/{campaign.slug}/card.png?v=")
    assert meta(page, "twitter:image") == url
    assert meta(page, "og:image:width") == "1200" and meta(page, "og:image:height") == "630"
    assert meta(page, "og:image:alt") == f"Title {campaign.slug} ru: 0 подписей"
    assert meta(page, "twitter:card") == "summary_large_image"
    response = client.get(url.removeprefix("http://campaign.test"))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert "public" in response.headers["Cache-Control"]


def test_card_is_kept_not_drawn_again_and_revalidates(client, app, monkeypatch):
    campaign = make_campaign()
    drawn = []
    real = share_card.draw
    monkeypatch.setattr(share_card, "draw", lambda *a, **k: drawn.append(1) or real(*a, **k))
    first = client.get(f"/en/c/{campaign.slug}/card.png")
    second = client.get(f"/en/c/{campaign.slug}/card.png")
    assert len(drawn) == 1 and first.data == second.data
    assert second.headers["ETag"] == first.headers["ETag"]
    stored = list(Path(app.instance_path).glob(f"share-cards/{campaign.id}/en-*.png"))
    assert len(stored) == 1
    again = client.get(f"/en/c/{campaign.slug}/card.png",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data and len(drawn) == 1


def test_a_new_signature_makes_a_new_card_below_a_thousand(client, app):
    campaign = make_campaign()
    before = client.get(f"/en/c/{campaign.slug}/card.png")
    page_before = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    make_signature(campaign)
    db.session.expire_all()
    after = client.get(f"/en/c/{campaign.slug}/card.png")
    assert after.headers["ETag"] != before.headers["ETag"] and after.data != before.data
    page_after = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    # A new URL, so networks that keep images by URL fetch the new count.
    assert meta(page_after, "og:image") != meta(page_before, "og:image")
    assert meta(page_after, "og:image:alt").endswith(": 1 signature")


def test_count_buckets_are_about_one_percent():
    assert share_card.count_bucket(7) == 7
    assert share_card.count_bucket(999) == 999
    assert share_card.count_bucket(1234) == 1230
    assert share_card.count_bucket(56789) == 56700
    assert share_card.count_bucket(1_234_567) == 1_230_000


def test_inside_a_bucket_the_card_waits_for_its_age(app):
    from types import SimpleNamespace

    campaign = SimpleNamespace(id=99, goal=100000, signature_count=5000)
    with app.test_request_context("/en/"):
        key = share_card.card_key(campaign, "en", "A title", None)
        first = share_card.get(campaign, "en", "A title", None, lambda: None)
        assert first.rendered and first.etag == f"{key}-5000"
        campaign.signature_count = 5003          # same bucket (5000): the same key
        assert share_card.card_key(campaign, "en", "A title", None) == key
        same = share_card.get(campaign, "en", "A title", None, lambda: None)
        assert not same.rendered and same.data == first.data   # young enough: kept
        app.config["SHARE_CARD_MAX_AGE_MINUTES"] = 0           # now too old
        redrawn = share_card.get(campaign, "en", "A title", None, lambda: None)
        assert redrawn.rendered and redrawn.etag == f"{key}-5003"
        again = share_card.get(campaign, "en", "A title", None, lambda: None)
        assert not again.rendered                              # the count did not move
        campaign.signature_count = 5011          # next bucket: a new key, drawn at once
        assert share_card.card_key(campaign, "en", "A title", None) != key


def test_cards_differ_by_language_and_draw_cyrillic_and_chinese(client, app):
    campaign = make_campaign(locales=("en", "ru", "kk", "zh"))
    for lang, title in (("zh", "为科尔代的东干人伸张正义"), ("kk", "Қордай әділдігі үшін")):
        campaigns.set_text(campaign, lang, title=title, summary="", body_markdown="x")
    db.session.commit()
    cards = {lang: client.get(f"/{lang}/c/{campaign.slug}/card.png").data
             for lang in ("en", "ru", "kk", "zh")}
    assert len(set(cards.values())) == 4
    for data in cards.values():
        assert Image.open(io.BytesIO(data)).size == (1200, 630)
    # Real glyphs, not the same empty box for every letter the font lacks.
    with app.test_request_context("/zh/"):
        for a, b in (("中", "国"), ("Қ", "Ә"), ("Ж", "Щ")):
            font = share_card.font_for(a + b, bold=True, size=60)
            glyph_a = Image.new("L", (80, 80))
            glyph_b = Image.new("L", (80, 80))
            ImageDraw.Draw(glyph_a).text((5, 5), a, font=font, fill=255)
            ImageDraw.Draw(glyph_b).text((5, 5), b, font=font, fill=255)
            assert glyph_a.getbbox() and glyph_a.tobytes() != glyph_b.tobytes()
        assert "NotoSansSC" in share_card.font_for("东干", bold=True, size=40).path
        assert "DejaVu" in share_card.font_for("Қордай", bold=True, size=40).path


def test_card_shows_the_photo(client, app):
    from campaign.campaigns import photo
    from tests.campaigns.test_photo import jpeg_with_gps

    campaign = make_campaign()
    plain = client.get(f"/en/c/{campaign.slug}/card.png")
    with app.test_request_context():
        photo.save(campaign, jpeg_with_gps(), {"en": "A photo"})
    with_photo = client.get(f"/en/c/{campaign.slug}/card.png")
    assert with_photo.headers["ETag"] != plain.headers["ETag"]
    picture = Image.open(io.BytesIO(with_photo.data)).convert("RGB")
    assert picture.size == (1200, 630)
    # The photo fills the right-hand side: red and blue stripes, not the theme colour.
    assert picture.getpixel((1100, 100)) != share_card.THEME


def test_no_card_for_a_draft_or_unknown_campaign(client, app):
    draft = make_campaign(status="draft")
    assert client.get(f"/en/c/{draft.slug}/card.png").status_code == 404
    assert client.get("/en/c/no-such/card.png").status_code == 404
