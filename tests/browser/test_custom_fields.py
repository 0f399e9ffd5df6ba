"""An organizer, in a real browser, adds a custom field to the sign form; a signer fills it
in on the Russian page (a mistake first, told in Russian); the answer is stored. Then the
organizer approves a comment from the moderation queue with the keyboard alone."""
from sqlalchemy import select

from campaign.extensions import db
from campaign.petitions import custom_fields
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import make_campaign, make_signature, make_user


def _login(page, live_server, email, password):
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")


def test_organizer_adds_a_field_and_a_signer_fills_it_in(app, live_server, page_factory, axe,
                                                         screenshot):
    campaign = make_campaign("korday-fields", locales=("en", "ru"))
    _user, password = make_user(email="org@example.org", campaigns=[campaign])
    page = page_factory(viewport=DESKTOP)
    _login(page, live_server, "org@example.org", password)

    page.goto(live_server.url(f"/organize/c/{campaign.slug}/fields"))
    axe(page, context="sign form fields, none yet")
    page.fill("#key", "region")
    page.select_option("#kind", "choice")
    page.check("#required")
    page.fill("#label_en", "Your region")
    page.fill("#label_ru", "Ваша область")
    page.fill("#options", "almaty\nzhambyl")
    page.fill("#options_en", "Almaty region\nZhambyl region")
    page.fill("#options_ru", "Алматинская область\nЖамбылская область")
    page.locator("form:has(#key) button[type=submit]").click()
    page.wait_for_url(f"**/organize/c/{campaign.slug}/fields")
    assert page.locator("#field-region").is_visible()
    screenshot(page, "field-added")
    axe(page, context="sign form fields, one field")

    signer = page_factory(viewport=PHONE, locale="ru-RU")
    signer.goto(live_server.url(f"/ru/c/{campaign.slug}"))
    assert signer.locator("label[for=cf_region]").inner_text() == "Ваша область"
    signer.fill("#full_name", "Айша Ванахун")
    signer.fill("#email", "aisha@example.org")
    signer.select_option("#country", "KZ")
    # Forgetting the question: told in Russian, what was typed kept, nothing stored.
    signer.locator("form[action$='/sign#sign'] button[type=submit]").click()
    signer.wait_for_load_state()
    assert signer.locator("#cf_region").get_attribute("aria-invalid") == "true"
    assert signer.locator("#cf_region-error").inner_text() == \
        "Пожалуйста, ответьте на этот вопрос."
    assert signer.locator("#full_name").input_value() == "Айша Ванахун"
    assert db.session.scalar(select(Signature)) is None
    screenshot(signer, "signer-error-ru")
    axe(signer, context="Russian sign form with a custom field error")
    signer.select_option("#cf_region", label="Жамбылская область")
    signer.locator("form[action$='/sign#sign'] button[type=submit]").click()
    signer.wait_for_url(f"**/ru/c/{campaign.slug}/thanks#sign")
    db.session.expire_all()
    signature = db.session.scalar(select(Signature))
    assert custom_fields.answers_of([signature.id])[signature.id] == {"region": "zhambyl"}


def test_moderation_queue_with_the_keyboard(app, live_server, page_factory, axe, screenshot):
    campaign = make_campaign("korday-comments", locales=("en",))
    petitions.set_comments_premoderated(campaign.id, True)
    make_signature(campaign, comment="Justice for Masanchi", full_name="Aisha Vanahun")
    _user, password = make_user(email="mod@example.org", campaigns=[campaign])
    page = page_factory(viewport=PHONE)
    _login(page, live_server, "mod@example.org", password)
    page.goto(live_server.url(f"/organize/c/{campaign.slug}/comments"))
    axe(page, context="comment moderation queue")
    screenshot(page, "moderation-queue-phone")
    approve = page.locator(".moderation-queue button", has_text="Approve")
    approve.focus()
    page.keyboard.press("Tab")  # the next control is the same comment's Hide button
    assert page.evaluate("document.activeElement.textContent") == "Hide"
    page.keyboard.press("Shift+Tab")
    with page.expect_navigation():  # the queue page posts back to itself (PRG)
        page.keyboard.press("Enter")
    assert page.locator("[role=status] .flashes").inner_text() == "Comment approved."
    assert "Justice for Masanchi" not in page.locator(".moderation-queue").inner_text()
    public = page_factory()
    public.goto(live_server.url(f"/en/c/{campaign.slug}"))
    assert public.locator(".comments", has_text="Justice for Masanchi").is_visible()
