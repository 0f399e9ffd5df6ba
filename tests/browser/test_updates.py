"""An organizer, in a real browser, writes an update in Markdown (the browser sends CRLF line
ends), previews it, sends a test to themselves, then sends it to one language's signers; the
signers' mail arrives through a real SMTP server with the Markdown rendered."""

from campaign.extensions import db
from tests.browser.conftest import DESKTOP
from tests.factories import make_campaign, make_signature, make_user

BODY_EN = ("We **delivered** the petition.\n\nRead [the letter](https://korday.example/letter)."
           "\n\n- Almaty\n- Bishkek")
BODY_RU = "Мы **передали** петицию.\n\n[Письмо](https://korday.example/ru)"


def test_organizer_writes_previews_tests_and_sends_an_update(app, live_server, page_factory,
                                                             mailbox, axe, screenshot):
    campaign = make_campaign("korday-news", locales=("en", "ru"))
    ru = make_signature(campaign, email="ru@example.org", locale="ru", updates=True)
    make_signature(campaign, email="en@example.org", locale="en", updates=True)
    _user, password = make_user(email="org@example.org", campaigns=[campaign])
    mailbox.deliver()
    mailbox.smtp.messages.clear()

    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", "org@example.org")
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")

    page.goto(live_server.url("/organize/c/korday-news/updates"))
    axe(page, context="updates page")
    page.fill("#subject_en", "We delivered it")
    page.fill("#body_en", BODY_EN)
    page.fill("#subject_ru", "Мы передали петицию")
    page.fill("#body_ru", BODY_RU)
    page.locator("main form[method=post] button[type=submit]", has_text="Save draft").click()
    page.wait_for_url("**/organize/c/korday-news/updates/*")

    # The preview, per language: Markdown rendered.
    assert page.locator("div[lang=en] .update-body strong").inner_text() == "delivered"
    assert page.locator("div[lang=ru] .update-body strong").inner_text() == "передали"
    assert page.locator("div[lang=en] .update-body a").get_attribute("href") == \
        "https://korday.example/letter"
    screenshot(page, "preview")
    axe(page, context="update preview")

    # Test send: the organizer's copies only.
    page.locator("button", has_text="Send a test to me").click()
    page.wait_for_load_state()
    mailbox.deliver()
    assert {m["To"] for m in mailbox.messages} == {"org@example.org"}
    mailbox.smtp.messages.clear()

    # Audience: Russian readers only; the confirm page says how many.
    page.locator("input[name=languages][value=ru]").check()
    page.locator("button", has_text="Review before sending").click()
    page.wait_for_url("**/confirm?*")
    assert page.locator("#confirm-count").inner_text() == "1 person will receive this update:"
    assert "1 in Русский" in page.locator("main ul").last.inner_text()
    screenshot(page, "confirm")
    axe(page, context="update confirm step")
    page.locator("button", has_text="Send now").click()
    page.wait_for_url("**/organize/c/korday-news/updates")
    assert "on its way to 1 supporter." in page.locator("[role=status]").inner_text()
    axe(page, context="updates page after sending")

    mailbox.deliver()
    assert [m["To"] for m in mailbox.messages] == [ru.email]
    html = mailbox.messages[0].get_body(("html",)).get_content()
    assert "<strong>передали</strong>" in html and 'href="https://korday.example/ru"' in html
    db.session.expire_all()


def test_organizer_sends_an_update_to_one_answer_of_a_custom_field(
        app, live_server, page_factory, mailbox, axe, screenshot):
    from campaign.petitions import custom_fields
    campaign = make_campaign("korday-regions", locales=("en", "ru"))
    custom_fields.add_field(campaign.id, custom_fields.FieldDefinition(
        key="region", kind="choice", labels={"en": "Your region", "ru": "Ваш регион"},
        choices=[{"value": "almaty", "labels": {"en": "Almaty"}},
                 {"value": "zhambyl", "labels": {"en": "Zhambyl"}}]))
    zhambyl = make_signature(campaign, email="z@example.org", locale="ru", updates=True,
                             custom={"region": "zhambyl"})
    make_signature(campaign, email="a@example.org", locale="en", updates=True,
                   custom={"region": "almaty"})
    make_signature(campaign, email="n@example.org", locale="en", updates=True)
    _user, password = make_user(email="org@example.org", campaigns=[campaign])
    mailbox.deliver()
    mailbox.smtp.messages.clear()

    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", "org@example.org")
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")
    page.goto(live_server.url("/organize/c/korday-regions/updates"))
    page.fill("#subject_en", "Zhambyl: a hearing on Monday")
    page.fill("#body_en", "Come to the **court**.")
    page.fill("#subject_ru", "Жамбыл: суд в понедельник")
    page.fill("#body_ru", "Приходите в **суд**.")
    page.locator("main form[method=post] button[type=submit]", has_text="Save draft").click()
    page.wait_for_url("**/organize/c/korday-regions/updates/*")

    page.select_option("#answer", "region:zhambyl")
    axe(page, context="update audience with a custom field")
    page.locator("button", has_text="Review before sending").click()
    page.wait_for_url("**/confirm?*")
    assert page.locator("#confirm-segment").inner_text() == \
        "Only signers whose answer to “Your region” is “Zhambyl”."
    assert page.locator("#confirm-count").inner_text() == "1 person will receive this update:"
    screenshot(page, "confirm-custom-field")
    axe(page, context="confirm step with a custom-field audience")
    page.locator("button", has_text="Send now").click()
    page.wait_for_url("**/organize/c/korday-regions/updates")
    mailbox.deliver()
    assert [m["To"] for m in mailbox.messages] == [zhambyl.email]
    assert mailbox.messages[0]["Subject"] == "Жамбыл: суд в понедельник"
