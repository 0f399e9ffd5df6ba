"""Issue 14's "done means": home, campaign, thank-you, donate and letters pages of the
flagship in all eight languages, at 1280 px and 390 px, accessible (axe-core), screenshotted
under test-artifacts/browser/ for a person to look at; and no big gap above the footer."""
import pytest

from campaign.demo import load_demo
from campaign.petitions import service as petitions
from tests.browser.conftest import DESKTOP
from tests.factories import make_signature

PHONE_390 = {"width": 390, "height": 844}
LANGUAGES = ("en", "ru", "kk", "ky", "zh", "fr", "de", "dng")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_flagship_pages_in_every_language(app, live_server, page_factory, axe, screenshot,
                                          lang):
    app.config["DONATION_OFFLINE_INSTRUCTIONS"] = (
        "Bank transfer to the legal-aid fund: IBAN KZ12 3456 7890 1234 5678, "
        "BIC ABCDKZKA, reference KORDAY-LEGAL-AID-2021")
    campaign, _email, _password = load_demo()
    slug = campaign.slug
    tokens = [petitions.signature_token("confirm", make_signature(
        campaign, confirmed=False, locale=lang, email=f"{lang}-{n}@example.org",
        full_name="Айша Ванахун")) for n in range(2)]
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE_390)):
        page = page_factory(viewport=viewport)
        thanks = tokens[0] if width == "desktop" else tokens[1]
        pages = {"home": f"/{lang}/", "campaign": f"/{lang}/c/{slug}",
                 "thanks": f"/confirm/{thanks}", "donate": f"/{lang}/c/{slug}/donate",
                 "letters": f"/{lang}/c/{slug}/letters"}
        for name, path in pages.items():
            response = page.goto(live_server.url(path))
            assert response.status == 200, (path, response.status)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], \
                f"{path} scrolls sideways at {viewport['width']} px"
            axe(page, context=f"{lang} {name} {width}")
            screenshot(page, f"{name}-{width}")
            if name == "campaign":
                body = page.locator(".campaign-body").inner_text()
                assert len(body) > 300, f"{lang}: the story is missing"
                if width == "desktop":
                    gap = page.evaluate("""() => {
                        const footer = document.querySelector('footer').getBoundingClientRect();
                        const items = [...document.querySelectorAll('main *')]
                          .map(e => e.getBoundingClientRect().bottom);
                        return footer.top - Math.max(...items); }""")
                    assert gap < 120, f"{lang}: {gap:.0f} px of empty space above the footer"
        page.context.close()
