"""An organizer, in a real browser, logs in, creates a campaign, writes its English text,
publishes it, and finds it on the public site with its sign form."""

from campaign.campaigns import service as campaigns
from campaign.extensions import db
from tests.browser.conftest import DESKTOP
from tests.factories import make_campaign, make_user

SLUG = "korday-review"
TITLE = "Review the Korday sentences"
SUMMARY = "Ask the UN, the EU, the Council of Europe and the OSCE to press for a review."
BODY = "In February 2020, **Korday** district saw violence against Dungan villages."


def test_organizer_creates_and_publishes_a_campaign(app, live_server, page_factory, axe,
                                                    screenshot):
    _user, password = make_user(email="org@example.org")  # an organizer, no 2FA asked
    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", "org@example.org")
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")
    axe(page, context="console dashboard, no campaigns yet")

    # New campaign, from the dashboard's link.
    page.locator("main a[href='/organize/new']").click()
    page.wait_for_url("**/organize/new")
    assert page.locator("#default_locale").input_value() == "en"  # proposed defaults
    assert page.locator("#goal").input_value() == "1000"
    axe(page, context="new campaign form")
    # A bad address first: the error is tied to the field, nothing is created.
    page.fill("#slug", "Not A Slug!")
    page.locator("form:has(#slug) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#slug").get_attribute("aria-invalid") == "true"
    assert campaigns.campaign_by_slug("Not A Slug!") is None
    axe(page, context="new campaign form with an error")
    page.fill("#slug", SLUG)
    page.fill("#goal", "5000")
    page.locator("form:has(#slug) button[type=submit]").click()

    # The new campaign opens on its English text.
    page.wait_for_url(f"**/organize/c/{SLUG}/texts/en")
    axe(page, context="campaign text form")
    page.fill("#title", TITLE)
    page.fill("#summary", SUMMARY)
    page.fill("#body_markdown", BODY)
    page.locator("main form[lang=en] button[type=submit]").click()
    page.wait_for_url(f"**/organize/c/{SLUG}/texts/en")
    assert page.locator("[role=status] .flashes").is_visible()
    assert page.locator("#title").input_value() == TITLE
    screenshot(page, "text")

    # Still a draft: the public page does not show it yet.
    draft = page_factory()
    assert draft.goto(live_server.url(f"/en/c/{SLUG}")).status == 404

    # Publish from the overview tab.
    page.locator(f"nav.tabs a[href='/organize/c/{SLUG}/']").click()
    page.wait_for_url(f"**/organize/c/{SLUG}/")
    assert page.locator("main h1 small").inner_text() == "(draft)"
    axe(page, context="campaign overview (draft)")
    page.locator(f"form[action='/organize/c/{SLUG}/status/live'] button").click()
    page.wait_for_url(f"**/organize/c/{SLUG}/")
    assert page.locator("main h1 small").inner_text() == "(live)"
    assert page.locator("[role=status] .flashes").is_visible()
    screenshot(page, "published")
    axe(page, context="campaign overview (live) with its message")
    db.session.expire_all()
    campaign = campaigns.campaign_by_slug(SLUG)
    assert (campaign.status, campaign.goal, campaign.default_locale) == ("live", 5000, "en")

    # The public page, through the console's link: the title, the text and the sign form.
    page.locator(f"main a[href='/en/c/{SLUG}']").click()
    page.wait_for_url(f"**/en/c/{SLUG}")
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator("strong", has_text="Korday").count() >= 1  # the Markdown, rendered
    sign = page.locator(f"form[action^='/en/c/{SLUG}/sign']")
    assert sign.locator("#full_name").is_visible() and sign.locator("#email").is_visible()
    assert page.locator("[data-count]").get_attribute("data-count") == "0"
    screenshot(page, "public")


def test_console_messages_are_accessible(app, live_server, page_factory, axe):
    campaign = make_campaign(status="draft")
    _user, password = make_user(campaigns=[campaign], email="org2@example.org")
    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", "org2@example.org")
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")
    page.goto(live_server.url(f"/organize/c/{campaign.slug}/"))
    page.locator(f"form[action='/organize/c/{campaign.slug}/status/live'] button").click()
    page.wait_for_url(f"**/organize/c/{campaign.slug}/")
    assert page.locator(".flashes li").count() == 1
    axe(page, context="campaign overview with a message")
