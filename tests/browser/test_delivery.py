"""An admin fills in the organization's profile, the public "About and contact" page shows it
in Russian, and an organizer previews and sends a delivery in test mode: every page accessible
(axe-core), screenshots under test-artifacts/browser/."""
from campaign.extensions import db
from campaign.letters import service as letters
from campaign.targets import service as targets
from tests.browser.conftest import DESKTOP
from tests.factories import make_campaign, make_signature, make_user

TARGETS = ("short_id,organisation,name,role,email,postal_address,web_url,source_url,"
           "source_date,languages\n"
           "un_min,UN,UN Special Rapporteur on minority issues,,minority@un.example.org,,,"
           "https://s.example.org/1,2012,\"en,fr,ru,zh\"\n")


def test_admin_profile_about_page_and_a_previewed_delivery(app, live_server, page_factory,
                                                           axe, screenshot, dossier_fonts):
    targets.import_csv(TARGETS)
    campaign = make_campaign(locales=("en", "ru"))
    letters.install_default_templates(campaign)
    body = targets.all_targets()[0]
    letters.set_campaign_targets(campaign, {body.id}, {body.id})
    db.session.commit()
    make_signature(campaign, full_name="Нурлан Абдыкалыков", country="KG")
    admin, password = make_user(role="admin", campaigns=[campaign], email="admin@example.org")
    admin.name = "Aigerim Sadykova"
    db.session.commit()

    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", "admin@example.org")
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")

    page.goto(live_server.url("/organize/organization"))
    page.fill("#name", "Korday Justice Initiative")
    page.fill("#contact_email", "contact@korday.example.org")
    page.fill("#postal_address", "Rue de l'Exemple 1\n1200 Genève")
    page.fill("#about_ru", "Мы — добровольцы из Центральной Азии и Европы.")
    axe(page, context="organization profile form")
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url("**/organize/organization")
    assert page.locator("[role=status]").count() >= 1

    page.goto(live_server.url("/ru/about"))
    assert page.locator("h1").inner_text() == "О нас и контакты"
    assert "Мы — добровольцы" in page.content()
    axe(page, context="about page in Russian")
    screenshot(page, "about-ru")

    page.goto(live_server.url(f"/organize/c/{campaign.slug}/delivery/"))
    axe(page, context="delivery start")
    page.select_option("#locale", "ru")
    page.locator("form[action$='/delivery/'] button[type=submit]").click()
    page.wait_for_url("**/delivery/*")
    assert "Кому: UN Special Rapporteur on minority issues" in page.content()
    assert "contact@korday.example.org" in page.content()  # test mode: to the organization
    axe(page, context="delivery preview")
    screenshot(page, "delivery-preview")
    page.locator("form[action$='/send'] button[type=submit]").click()
    page.wait_for_url("**/delivery/")
    assert "1" in page.locator("[role=status]").first.inner_text()

    page.goto(live_server.url(f"/en/c/{campaign.slug}"))
    assert "Delivered on" in page.content() and "The petition stays open" in page.content()
    axe(page, context="campaign page after delivery")
    screenshot(page, "campaign-after-delivery")
