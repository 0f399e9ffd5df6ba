"""The campaign photo in a real browser, on a desktop (1280) and a phone (390): it loads from
our host, lazily, fits the screen, reads its alt text in the page's language, and the page
stays accessible. Screenshots: test-artifacts/browser/test_campaign_photo_*.png."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from campaign.campaigns import photo
from campaign.campaigns.demo import FLAGSHIP_SLUG
from campaign.demo import load_demo
from tests.browser.conftest import DESKTOP, hosts_of

PHONE_390 = {"width": 390, "height": 844}


def a_photo() -> bytes:
    """A landscape picture with some shapes (a street, houses, a sky)."""
    picture = Image.new("RGB", (2400, 1600), (120, 160, 210))
    pen = ImageDraw.Draw(picture)
    pen.rectangle((0, 1000, 2400, 1600), fill=(90, 90, 85))
    for n, x in enumerate(range(100, 2300, 420)):
        pen.rectangle((x, 560 + 40 * (n % 3), x + 320, 1000), fill=(200 - 20 * n, 170, 140))
        pen.polygon([(x - 20, 560 + 40 * (n % 3)), (x + 160, 400 + 40 * (n % 3)),
                     (x + 340, 560 + 40 * (n % 3))], fill=(150, 60, 50))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90)
    return out.getvalue()


ALT = {"en": "Houses along the main street of a Dungan village in Korday district",
       "ru": "Дома вдоль главной улицы дунганского села в Кордайском районе"}


@pytest.fixture
def flagship_with_photo(app):
    flagship, _email, _password = load_demo()
    alt = {code: ALT.get(code, ALT["ru"] if code in ("dng", "kk", "ky") else ALT["en"])
           for code in flagship.locales}
    with app.test_request_context():
        photo.save(flagship, a_photo(), alt)
    return flagship


@pytest.mark.parametrize("viewport", [PHONE_390, DESKTOP], ids=["390", "1280"])
def test_campaign_photo_on_desktop_and_phone(flagship_with_photo, live_server, page_factory,
                                             screenshot, axe, viewport):
    page = page_factory(viewport=viewport, locale="ru-RU")
    page.goto(live_server.url(f"/ru/c/{FLAGSHIP_SLUG}"))
    image = page.locator(".campaign-photo img")
    assert image.get_attribute("alt") == ALT["ru"]
    assert image.get_attribute("loading") == "lazy"
    screenshot(page, "first-screen", full_page=False)
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelector('.campaign-photo img').complete && "
        "document.querySelector('.campaign-photo img').naturalWidth > 0")
    box = image.bounding_box()
    assert box["width"] <= viewport["width"] and box["height"] > 100
    # A phone gets the small copy; every byte comes from our host.
    current = page.evaluate("document.querySelector('.campaign-photo img').currentSrc")
    if viewport is PHONE_390:
        assert current.endswith("-small.jpg")
    assert hosts_of(page.requests) == {live_server.host}
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, "photo", full_page=False)
    screenshot(page, "campaign")
    axe(page, context=f"campaign page with a photo at {viewport['width']} px")
    # The share card the page names is served by us, 1200 x 630.
    card_url = page.locator('meta[property="og:image"]').get_attribute("content")
    assert card_url.startswith(live_server.url("/ru/c/"))
    card = page.request.get(card_url)
    assert card.ok and Image.open(io.BytesIO(card.body())).size == (1200, 630)
