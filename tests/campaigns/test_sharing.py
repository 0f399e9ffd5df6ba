"""Sharing without any third-party script: share links, Open Graph tags, QR code, favicon."""
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.factories import make_campaign


def test_campaign_page_has_open_graph_tags_in_its_language(client, app):
    campaign = make_campaign(locales=("en", "ru"))
    page = unescape(client.get(f"/ru/c/{campaign.slug}").get_data(as_text=True))
    url = f"http://campaign.test/ru/c/{campaign.slug}"
    assert f'<meta property="og:title" content="Title {campaign.slug} ru">' in page
    assert '<meta property="og:description" content="Summary ru">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert f'<link rel="canonical" href="{url}">' in page


def test_share_links_are_plain_links_carrying_the_campaign_url(client, app):
    campaign = make_campaign()
    page = unescape(client.get(f"/en/c/{campaign.slug}").get_data(as_text=True))
    url = f"http://campaign.test/en/c/{campaign.slug}"
    assert "<script" not in page
    telegram = page.split('class="share-telegram" href="')[1].split('"')[0]
    assert urlsplit(telegram).netloc == "t.me"
    assert parse_qs(urlsplit(telegram).query)["url"] == [url]
    # mailto: uses %20 for spaces (a "+" would show in the mail program).
    assert f'href="mailto:?subject=Title%20{campaign.slug}%20en&body=Summary%20en' in page


def test_qr_code_is_an_svg_of_the_campaign_link(client, app):
    campaign = make_campaign()
    response = client.get(f"/en/c/{campaign.slug}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml") and b"<svg" in response.data
    assert client.get("/en/c/no-such-campaign/qr.svg").status_code == 404
    draft = make_campaign(status="draft")
    assert client.get(f"/en/c/{draft.slug}/qr.svg").status_code == 404


def test_favicon(client, app):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    assert 'rel="icon"' in client.get("/en/").get_data(as_text=True)
