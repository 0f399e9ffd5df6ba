"""After the 303 every signer of a campaign in a language sees the same thanks page: it comes
from the page cache (rendered once per language and slug), holds nothing of the reader, and
the 303 itself is not compressed or padded with a page."""
import gzip
import zlib

from campaign.petitions import views
from tests.factories import make_campaign
from tests.forms_util import sign_post


def test_thanks_is_rendered_once_per_language_and_identical_for_every_signer(app, monkeypatch):
    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 60
    campaign = make_campaign(locales=("en", "ru"))
    rendered = []
    real = views.render_template

    def counting(name, **context):
        rendered.append(name)
        return real(name, **context)
    monkeypatch.setattr(views, "render_template", counting)

    def thanks(lang):
        with app.app_context():  # a request of its own, as a server runs it
            client = app.test_client()
            sign_post(client, campaign, lang=lang, email=f"{lang}{len(rendered)}@example.org")
            return client.get(f"/{lang}/c/{campaign.slug}/thanks")
    first, second, russian = thanks("en"), thanks("en"), thanks("ru")
    assert rendered.count("petitions/thanks.html") == 2  # en once, ru once
    assert first.get_data() == second.get_data()
    assert "Check your inbox" in first.get_data(as_text=True)
    assert 'lang="ru"' in russian.get_data(as_text=True)
    assert "Check your inbox" not in russian.get_data(as_text=True)
    assert "private" in first.headers["Cache-Control"]
    # Revalidation costs nothing.
    with app.app_context():
        again = app.test_client().get(f"/en/c/{campaign.slug}/thanks",
                                      headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_browser_gets_thanks_gzipped_once_per_cached_copy(client, app, monkeypatch):
    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 60
    campaign = make_campaign()
    url = f"/en/c/{campaign.slug}/thanks"
    plain = client.get(url)
    compressions = []
    real = zlib.compressobj

    def counting(*args, **kwargs):
        compressions.append(args)
        return real(*args, **kwargs)
    monkeypatch.setattr(zlib, "compressobj", counting)
    first = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    made = len(compressions)
    second = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert made > 0 and len(compressions) == made  # the second copy compressed nothing
    for browser in (first, second):
        assert browser.status_code == 200
        assert browser.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in browser.headers["Vary"]
        assert gzip.decompress(browser.get_data()) == plain.get_data()
        assert browser.headers["ETag"] == plain.headers["ETag"]
        assert browser.headers["Cache-Control"] == plain.headers["Cache-Control"]
    assert "Content-Encoding" not in plain.headers


def test_unknown_campaign_has_no_thanks_page(client, app):
    app.config["CAMPAIGN_PAGE_CACHE_SECONDS"] = 60
    assert client.get("/en/c/no-such/thanks").status_code == 404


def test_the_303_is_not_compressed(client, app):
    campaign = make_campaign()
    page = client.get(f"/en/c/{campaign.slug}")
    assert page.status_code == 200
    from tests.forms_util import SIGN_FORM, hidden_inputs
    answer = client.post(f"/en/c/{campaign.slug}/sign",
                         data=dict(SIGN_FORM, **hidden_inputs(page.get_data(as_text=True))),
                         headers={"Accept-Encoding": "gzip, br"})
    assert answer.status_code == 303
    assert "Content-Encoding" not in answer.headers
    assert answer.headers["Location"].endswith(f"/en/c/{campaign.slug}/thanks")
