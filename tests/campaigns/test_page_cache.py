"""The campaign page under load: a short cache that never shares a reader's CSRF token,
revalidation with ETag/304, compression, and static files the browser keeps."""
import gzip
import re
import time

from tests.conftest import csrf_from
from tests.factories import make_campaign, make_signature


def count_on(html: str) -> int:
    return int(re.search(r'data-count="(\d+)"', html).group(1))


def test_cached_page_count_is_stale_at_most_the_configured_seconds(app, client):
    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 1
    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}"
    assert count_on(client.get(url).get_data(as_text=True)) == 0
    make_signature(campaign)
    # Within the window the cached copy may still say 0 ...
    assert count_on(client.get(url).get_data(as_text=True)) in (0, 1)
    time.sleep(1.1)
    # ... but never after it.
    assert count_on(client.get(url).get_data(as_text=True)) == 1


def fresh(app, call):
    """Run a request in its own app context, as a server does (the fixture's context would
    otherwise share `g`, and with it the per-request CSRF token, between requests)."""
    with app.app_context():
        return call()


def test_each_reader_gets_their_own_csrf_token_from_the_cache(app):
    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 60
    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}"
    alice, bob = app.test_client(), app.test_client()
    alice_page = fresh(app, lambda: alice.get(url).get_data(as_text=True))
    bob_page = fresh(app, lambda: bob.get(url).get_data(as_text=True))
    assert "csrf-placeholder" not in alice_page + bob_page
    alice_token, bob_token = csrf_from(alice_page), csrf_from(bob_page)
    assert alice_token != bob_token
    form = {"full_name": "Bob", "email": "bob@example.org", "country": "KZ",
            "display": "full"}
    # Alice's token is worthless with Bob's session; Bob's own token works.
    assert fresh(app, lambda: bob.post(f"{url}/sign", data={
        **form, "csrf_token": alice_token})).status_code == 400
    assert fresh(app, lambda: bob.post(f"{url}/sign", data={
        **form, "csrf_token": bob_token})).status_code == 303


def test_revalidation_answers_304_only_for_the_same_reader(app):
    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 60
    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}"
    reader = app.test_client()
    first = reader.get(url)
    etag = first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"]
    again = reader.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    # Someone else presenting that ETag has no such token: they get a full page.
    stranger = app.test_client().get(url, headers={"If-None-Match": etag})
    assert stranger.status_code == 200
    assert csrf_from(stranger.get_data(as_text=True))


def test_page_changes_etag_when_the_count_moves(app):
    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 0
    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}"
    reader = app.test_client()
    etag = reader.get(url).headers["ETag"]
    make_signature(campaign)
    changed = reader.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert count_on(changed.get_data(as_text=True)) == 1


def test_page_is_served_compressed(client):
    campaign = make_campaign()
    response = client.get(f"/en/c/{campaign.slug}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.get_data()).decode()
    assert 'data-count="0"' in html
    assert len(response.get_data()) < len(html) / 2


def test_static_files_have_versioned_urls_kept_for_a_year(client):
    campaign = make_campaign()
    html = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    css_url = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', html).group(1)
    response = client.get(css_url)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    # An old or missing version is not promised to stay.
    stale = client.get("/static/css/site.css?v=000000000000")
    assert "max-age=31536000" not in stale.headers.get("Cache-Control", "")


def test_campaign_page_is_light_and_self_hosted(client):
    campaign = make_campaign()
    html = client.get(f"/en/c/{campaign.slug}").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js|png|svg|jpg|webp)[^"]*)"', html)
    assert all(url.startswith("/") and not url.startswith("//") for url in assets)
    total = len(html.encode()) + sum(len(client.get(url).get_data()) for url in assets)
    assert total < 60_000


def test_gzip_page_is_whole_and_each_readers_own(app):
    """The page's gzip body is spliced from parts compressed once per cached copy: it must
    still be one valid gzip stream (checksum and length) with this reader's tokens."""
    import zlib

    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 60
    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}"
    pages = []
    for _ in range(2):
        response = fresh(app, lambda: app.test_client().get(
            url, headers={"Accept-Encoding": "gzip, br"}))
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        body = response.get_data()
        inflater = zlib.decompressobj(31)
        html = inflater.decompress(body).decode()  # raises on a bad CRC or length
        assert inflater.eof and not inflater.unused_data
        assert "placeholder" not in html
        pages.append(html)
    assert csrf_from(pages[0]) != csrf_from(pages[1])
    assert re.sub(r'value="[^"]*"', "", pages[0]) == re.sub(r'value="[^"]*"', "", pages[1])


def test_page_for_a_brotli_only_client_is_the_same_page(app, client):
    import brotli

    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}"
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert 'data-count="0"' in brotli.decompress(response.get_data()).decode()
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert 'data-count="0"' in plain.get_data(as_text=True)


def test_a_stale_page_is_served_while_another_request_renders_it(app, client):
    from campaign.campaigns import page_cache

    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 1
    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}"
    assert count_on(client.get(url).get_data(as_text=True)) == 0
    make_signature(campaign)
    time.sleep(1.1)
    page_cache._refreshing.add(("en", campaign.slug))  # another request is rendering it
    try:
        assert count_on(client.get(url).get_data(as_text=True)) == 0
    finally:
        page_cache._refreshing.discard(("en", campaign.slug))
    assert count_on(client.get(url).get_data(as_text=True)) == 1
