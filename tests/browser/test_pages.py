"""Every public page and the console's first pages: accessible (axe-core), in two languages;
the language switcher; organizer login; error pages that help."""
import pytest
from flask import abort

from campaign.petitions import service as petitions
from tests.browser.conftest import DESKTOP
from tests.factories import make_campaign, make_signature, make_user

ERROR_CODES = (400, 403, 404, 413, 422, 429, 500, 503)


@pytest.fixture
def error_routes(app):
    """Routes that fail on purpose (added before the server's first request)."""
    def fail(code):
        if code == 500:
            raise RuntimeError("a bug, on purpose")
        abort(code)
    app.add_url_rule("/<lang:lang>/_test/error/<int:code>", "test_error", fail)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_public_pages_have_no_serious_accessibility_problems(
        error_routes, app, live_server, mailbox, page_factory, axe, screenshot, lang):
    campaign = make_campaign(locales=("en", "ru"))
    make_signature(campaign, full_name="Nadia Ivanova")
    pending = make_signature(campaign, confirmed=False, email="late@example.org")
    confirm_path = "/confirm/" + petitions.signature_token("confirm", pending)
    page = page_factory(viewport=DESKTOP)
    phone = page_factory()
    pages = {
        "index": f"/{lang}/",
        "campaign": f"/{lang}/c/{campaign.slug}",
        "thanks": f"/{lang}/c/{campaign.slug}/thanks",
        "confirmed": confirm_path,
        "bad-link": "/confirm/not-a-token",
        **{f"error-{code}": f"/{lang}/_test/error/{code}" for code in ERROR_CODES},
        "unknown-page": f"/{lang}/no-such-page",
    }
    for name, path in pages.items():
        page.goto(live_server.url(path))
        axe(page, context=f"{name} {path}")
        phone.goto(live_server.url(path))
        if name in ("index", "campaign"):  # the layouts that change with the width
            axe(phone, context=f"{name} {path} at 375 px")
        screenshot(phone, name)
    # The campaign page with the form's errors shown.
    page.goto(live_server.url(f"/{lang}/c/{campaign.slug}"))
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 3
    axe(page, context="campaign page with form errors")


@pytest.mark.parametrize("code", ERROR_CODES)
def test_error_pages_are_styled_and_lead_somewhere(error_routes, app, live_server, page,
                                                   code):
    response = page.goto(live_server.url(f"/ru/_test/error/{code}"))
    assert response.status == code
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator(".error-code").inner_text().endswith(str(code))
    assert page.locator("h1").inner_text()
    # Styled by our stylesheet, and a way onwards in the page's language.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header'))"
                         ".backgroundColor") == "rgb(23, 58, 94)"
    # The way onwards leads to the campaigns in the page's language.
    assert page.locator("main a[href='/ru/']").count() >= 1
    assert "Traceback" not in page.content() and "RuntimeError" not in page.content()


def test_language_switcher_keeps_the_page_and_remembers_the_choice(app, live_server, page,
                                                                   screenshot):
    campaign = make_campaign(locales=("en", "ru", "zh"))
    page.goto(live_server.url(f"/en/c/{campaign.slug}"))
    nav = page.locator("nav.languages")
    assert nav.locator("[aria-current]").inner_text() == "English"
    nav.get_by_role("link", name="Русский").click()
    page.wait_for_url(f"**/ru/c/{campaign.slug}")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == f"Title {campaign.slug} ru"
    assert nav.locator("[aria-current]").inner_text() == "Русский"
    screenshot(page, "russian")
    nav.get_by_role("link", name="中文").click()
    page.wait_for_url(f"**/zh/c/{campaign.slug}")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    screenshot(page, "chinese")
    # The choice is remembered: the bare address opens in Chinese.
    page.goto(live_server.url("/"))
    assert page.url == live_server.url("/zh/")


def test_organizer_logs_in_and_sees_their_campaigns(app, live_server, page_factory, axe,
                                                    screenshot):
    campaign = make_campaign(locales=("en", "ru"))
    _user, password = make_user(campaigns=[campaign], email="org@example.org")
    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    axe(page, context="console login")
    page.get_by_label("E-mail").fill("org@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_label("Password").press("Enter")
    page.wait_for_load_state()
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    axe(page, context="console login with an error")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organize/")
    assert page.get_by_role("link", name=f"Title {campaign.slug} en").is_visible()
    screenshot(page, "dashboard")
    axe(page, context="console dashboard")
    # The console follows the language chosen with the switcher.
    page.goto(live_server.url("/ru/language?next=/organize/"))
    assert page.locator("html").get_attribute("lang") == "ru"
    axe(page, context="console dashboard (ru)")
    page.locator("form[action='/organize/logout'] button").click()
    page.wait_for_url("**/organize/login")
