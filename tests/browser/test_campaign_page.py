"""The campaign page in a real browser: how it looks, what it loads, and that it needs no JS."""
import pytest

from campaign.campaigns.demo import FLAGSHIP_SLUG
from campaign.demo import load_demo
from tests.browser.conftest import DESKTOP, PHONE, hosts_of
from tests.factories import make_signature

MAX_TRANSFER_BYTES = 60 * 1024


@pytest.fixture
def flagship(app):
    load_demo()
    from campaign.campaigns import service
    campaign = service.campaign_by_slug(FLAGSHIP_SLUG)
    for name, country in [("Aisha Vanahun", "KZ"), ("Marc Dubois", "FR"), ("Li Wei", "CN")]:
        make_signature(campaign, full_name=name, country=country)
    return campaign


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_campaign_page_looks_right_and_fits_the_screen(
        flagship, live_server, page_factory, screenshot, lang, viewport):
    page = page_factory(viewport=viewport)
    page.goto(live_server.url(f"/{lang}/c/{FLAGSHIP_SLUG}"))
    screenshot(page, "campaign")
    screenshot(page, "first-screen", full_page=False)
    # Nothing sticks out sideways on a phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    count = page.locator("[data-count]")
    assert count.get_attribute("data-count") == "3"
    assert page.locator("progress").get_attribute("value") == "3"
    if viewport is PHONE:
        # The sign form is one tap away from the top.
        page.locator(".cta a[href='#sign']").click()
        assert page.url.endswith("#sign")
        page.wait_for_function("document.querySelector('#full_name').getBoundingClientRect().top"
                               " < window.innerHeight")
    else:
        # Beside the text, in the first screen, with no scrolling.
        assert page.locator("#full_name").bounding_box()["y"] < viewport["height"]


def test_campaign_page_loads_only_from_our_host_and_is_light(flagship, live_server, page):
    sizes = []
    page.on("requestfinished", lambda request: sizes.append(
        (request.url, request.sizes()["responseBodySize"]
         + request.sizes()["responseHeadersSize"])))
    page.goto(live_server.url(f"/en/c/{FLAGSHIP_SLUG}"), wait_until="networkidle")
    assert hosts_of(page.requests) == {live_server.host}
    total = sum(size for _url, size in sizes)
    assert sizes and total < MAX_TRANSFER_BYTES, f"{total} bytes: {sizes}"
    print(f"campaign page: {len(sizes)} requests, {total} bytes transferred")


def test_campaign_page_works_without_javascript(flagship, live_server, page_factory):
    page = page_factory(javascript=False)
    page.goto(live_server.url(f"/en/c/{FLAGSHIP_SLUG}"))
    page.fill("#full_name", "")
    page.get_by_role("button", name="Sign").click()
    assert page.get_by_role("alert").first.is_visible()
    assert page.locator("#full_name").get_attribute("aria-invalid") == "true"


def test_share_links_and_qr_code(flagship, live_server, page):
    page.goto(live_server.url(f"/ru/c/{FLAGSHIP_SLUG}"))
    campaign_url = live_server.url(f"/ru/c/{FLAGSHIP_SLUG}")
    hrefs = page.locator(".share-links a").evaluate_all("links => links.map(a => a.href)")
    assert any(h.startswith("https://t.me/share/url?") for h in hrefs)
    assert any(h.startswith("mailto:") for h in hrefs)
    assert all(campaign_url.replace(":", "%3A").replace("/", "%2F") in h
               or campaign_url.replace(":", "%3A") in h for h in hrefs), hrefs
    assert page.locator("#share-url").input_value() == campaign_url
    # Open Graph in the page's language.
    og_title = page.locator('meta[property="og:title"]').get_attribute("content")
    assert og_title == page.locator("h1").inner_text()
    assert page.locator('meta[name="twitter:card"]').get_attribute("content") \
        == "summary_large_image"
    qr = page.request.get(live_server.url(page.locator("a[download]").get_attribute("href")))
    assert qr.ok and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.body().startswith(b"<?xml") and b"<svg" in qr.body()
