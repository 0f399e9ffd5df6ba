"""A supporter signs in the browser, gets the e-mail from a real SMTP server, and confirms."""
import re

import pytest

from tests.factories import make_campaign

LOCALES = ("en", "ru", "zh")
# What the supporter types, and the country option chosen, per language.
SIGNERS = {
    "en": ("Aisha Vanahun", "aisha@example.org", "KZ"),
    "ru": ("Айша Ванахун", "aisha.ru@example.org", "KG"),
    "zh": ("王小明", "wang@example.org", "CN"),
}


@pytest.mark.parametrize("lang", LOCALES)
def test_sign_email_confirm(app, live_server, mailbox, page_factory, screenshot, lang):
    campaign = make_campaign(locales=LOCALES, goal=50)
    name, email, country = SIGNERS[lang]
    page = page_factory()
    page.goto(live_server.url(f"/{lang}/c/{campaign.slug}"))
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else lang)
    assert page.locator("h1").inner_text() == f"Title {campaign.slug} {lang}"
    assert page.locator("[data-count]").get_attribute("data-count") == "0"

    page.fill("#full_name", name)
    page.fill("#email", email)
    page.select_option("#country", country)
    page.fill("#comment", "🕊")
    page.check("input[name=display][value=initial]")
    screenshot(page, "filled")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"**/{lang}/c/{campaign.slug}/thanks#sign")
    assert page.get_by_role("status").is_visible()
    screenshot(page, "thanks")

    assert mailbox.deliver() == 1
    message = mailbox.messages[-1]
    assert message["To"] == email
    page.goto(live_server.url(mailbox.link("confirm", to=email)))
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else lang)
    assert re.search(r"(^|\D)1(\D|$)", page.locator(".message .count").inner_text())
    screenshot(page, "confirmed")

    page.goto(live_server.url(f"/{lang}/c/{campaign.slug}"))
    assert page.locator("[data-count]").get_attribute("data-count") == "1"
    signers = page.locator(".signers").inner_text()
    assert name.split()[0] in signers and email not in page.content()


def test_sign_form_with_the_keyboard_alone(app, live_server, page, screenshot):
    campaign = make_campaign()
    page.goto(live_server.url(f"/en/c/{campaign.slug}"))
    order = []
    for _ in range(60):  # Tab from the top of the page to the sign button
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            return {name: e.name || e.id || e.tagName, type: e.type || '',
                    outline: getComputedStyle(e).outlineStyle}; }""")
        if focused["name"] in ("full_name", "email", "country", "comment", "display",
                               "updates") or focused["type"] == "submit":
            # Focus is visible: every stop in the form shows an outline.
            assert focused["outline"] != "none", focused
            order.append(focused["name"] if focused["type"] != "submit" else "submit")
            if focused["name"] == "full_name":
                page.keyboard.type("Kim Dae")
            elif focused["name"] == "email":
                page.keyboard.type("kim@example.org")
            elif focused["name"] == "country":
                page.keyboard.type("Kazakhstan")
            elif focused["type"] == "submit":
                break
    assert order == ["full_name", "email", "country", "comment", "display", "updates",
                     "submit"]
    assert page.locator("#country").input_value() == "KZ"
    screenshot(page, "focused-submit", full_page=False)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/en/c/{campaign.slug}/thanks#sign")


def test_form_errors_are_announced_and_tied_to_fields(app, live_server, page, screenshot,
                                                      axe):
    campaign = make_campaign()
    page.goto(live_server.url(f"/en/c/{campaign.slug}"))
    page.fill("#full_name", "Kim")
    page.fill("#email", "not-an-address")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "correct" in alert.inner_text()
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") == "true"
    described = page.locator(f"#{email.get_attribute('aria-describedby')}")
    assert "valid e-mail" in described.inner_text()
    assert page.locator("#full_name").input_value() == "Kim"  # what was typed stays
    screenshot(page, "errors")
    axe(page)
