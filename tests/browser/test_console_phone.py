"""The console on a 390 px phone: every main page fits the width (tables become lists), the
count is the first thing on a campaign's overview, moderation buttons are thumb-sized; axe
finds nothing serious. Screenshots land in test-artifacts/browser/ (look at them)."""
from __future__ import annotations

import pytest

from campaign.extensions import db
from campaign.letters import service as letters
from campaign.petitions.console import moderation
from campaign.targets import service as targets
from tests.factories import make_campaign, make_signature, make_user

PHONE_390 = {"width": 390, "height": 844}
PAGES = [("dashboard", "/organize/"),
         ("overview", "/organize/c/{slug}/"),
         ("signatures", "/organize/c/{slug}/signatures"),
         ("analytics", "/organize/c/{slug}/analytics"),
         ("letters", "/organize/c/{slug}/letters")]


def _fits(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def busy_campaign(app):
    targets.load_starting_set()
    campaign = make_campaign("korday-review", locales=("en", "ru"), goal=10_000)
    letters.install_default_templates(campaign)
    user, password = make_user(email="org@example.org", campaigns=[campaign])
    names = ["Айгуль Сапарова", "Хусейн Ванахун", "Müller Jürgen", "王小明",
             "A-very-long-name-without-any-space-at-all-Bekmukhambetova"]
    for number, name in enumerate(names):
        make_signature(campaign, full_name=name, country=("KZ", "KG", "DE", "CN", "RU")[number],
                       email=f"person{number}.with.a.long.address@example.org",
                       comment="Справедливости для Масанчи!" if number % 2 else None)
    bot = make_signature(campaign, full_name="Bot 1", email="bot1@mailinator.example")
    moderation.invalidate(user, bot, "Disposable address flood")
    db.session.commit()
    return campaign, password


@pytest.mark.parametrize("locale", ["en-US", "ru-RU"])
def test_console_pages_on_a_phone(busy_campaign, live_server, page_factory, axe, screenshot,
                                  locale):
    campaign, password = busy_campaign
    page = page_factory(viewport=PHONE_390, locale=locale)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", "org@example.org")
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")
    short = locale[:2]
    for name, path in PAGES:
        response = page.goto(live_server.url(path.format(slug=campaign.slug)))
        assert response.status == 200, name
        screenshot(page, f"{short}-{name}")
        assert _fits(page), f"{name} scrolls sideways at 390 px"
        axe(page, context=f"{name} at 390 px ({locale})")
        if name == "letters":
            # The delivery section: its heading, then the link to the two-step Delivery tab.
            page.evaluate("""() => document.querySelector("a[href*='/delivery']")
                .parentElement.previousElementSibling.scrollIntoView({behavior: "instant"})""")
            screenshot(page, f"{short}-delivery", full_page=False)

    # The overview: the count is on the first screen, under the campaign's title.
    page.goto(live_server.url(f"/organize/c/{campaign.slug}/"))
    count = page.locator(".console-count")
    box = count.bounding_box()
    assert count.is_visible() and box["y"] + box["height"] < PHONE_390["height"]
    assert "5" in count.inner_text()

    # Signatures: rows are cards (one per signer), and the moderation controls are
    # thumb-sized (44 px, WCAG 2.5.5) and within the screen.
    page.goto(live_server.url(f"/organize/c/{campaign.slug}/signatures"))
    row = page.locator("table.signatures tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") != "table-row"
    for button in page.locator("table.signatures button").all():
        box = button.bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE_390["width"], box
    assert page.locator("table.signatures td[data-label]").count() > 0
    screenshot(page, f"{short}-signatures-viewport", full_page=False)

    # Invalidate one-handed: type the reason, tap the button; the count drops.
    first = (page.locator("table.signatures tbody tr")
             .filter(has=page.locator("input[name=reason]")).first)
    first.locator("input[name=reason]").fill("Duplicate")
    first.locator("form:has(input[name=reason]) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=status]").is_visible()
    db.session.expire_all()
    db.session.refresh(campaign)
    assert campaign.signature_count == 4
