"""A supporter writes to three institutions in Russian in a real browser without editing the
letter: the page names the institutions and their languages in Russian, the answer is the
same for every address, nothing leaves before the supporter opens the link e-mailed for this
batch, and the letters that reach a real SMTP server are signed with the name typed, dated and
addressed in Russian."""
from datetime import date

from sqlalchemy import select

from campaign.extensions import db
from campaign.letters import routing
from campaign.letters import service as letters
from campaign.letters.models import Letter
from campaign.targets import service as targets
from tests.browser.conftest import DESKTOP
from tests.factories import make_campaign

NAME = "Айша Ванахун"
EMAIL = "aisha@example.org"
PLACE = "Алматы"
THREE = ("sr_minority_issues", "osce_hcnm", "cerd_secretariat")


def _campaign_with_targets():
    """The sourced starting set (checked by an organizer), the default letters, and five
    institutions offered: two ticked by default, two more by e-mail, one web form only."""
    targets.load_starting_set()
    by_id = {t.short_id: t for t in targets.all_targets()}
    for short_id in THREE:
        targets.mark_verified(by_id[short_id])
    campaign = make_campaign(locales=("en", "ru"))
    letters.install_default_templates(campaign)
    db.session.commit()
    offered = {by_id[s].id for s in ("sr_minority_issues", "osce_hcnm", "ohchr_upr",
                                     "cerd_secretariat", "venice_commission")}
    preselected = {by_id["sr_minority_issues"].id, by_id["osce_hcnm"].id}
    letters.set_campaign_targets(campaign, offered, preselected)
    return campaign, by_id


def test_supporter_writes_to_three_institutions_in_russian(app, live_server, mailbox,
                                                           page_factory, axe, screenshot):
    app.config["LETTERS_LIVE"] = True
    routing.set_live(None, True)
    campaign, by_id = _campaign_with_targets()

    page = page_factory(viewport=DESKTOP, locale="ru-RU")
    page.goto(live_server.url(f"/ru/c/{campaign.slug}/letters"))
    axe(page, context="letters page (ru)")

    def box(short_id):
        return page.locator(f"input[name=targets][value='{by_id[short_id].id}']")

    assert page.locator("input[name=targets]").count() == 5
    assert box("sr_minority_issues").is_checked() and box("osce_hcnm").is_checked()
    assert not box("cerd_secretariat").is_checked()
    box("cerd_secretariat").check()
    fieldset = page.locator("fieldset").inner_text()
    assert "Специальный докладчик по вопросам меньшинств" in fieldset
    assert "Читает на языках: английский, французский, русский и китайский" in fieldset
    assert "UN Special Rapporteur" not in fieldset and "en, fr" not in fieldset

    # The letter as prefilled: nothing in it to replace; the closing is shown below it.
    draft = page.locator("#body").input_value()
    assert len(draft) > 100 and "Ваше имя" not in draft and "[[" not in draft
    assert "С уважением," in page.locator("form").inner_text()
    page.fill("#full_name", NAME)
    page.fill("#email", EMAIL)
    page.fill("#place", PLACE)
    screenshot(page, "written-ru")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()

    status = page.get_by_role("status")
    assert "Проверьте почту" in status.locator("h1").inner_text()
    screenshot(page, "check-inbox-ru")
    db.session.expire_all()
    assert set(db.session.scalars(select(Letter.status))) == {"unconfirmed"}

    # Only the confirmation leaves; the letters wait for the click.
    assert mailbox.deliver() == 1
    assert [m["To"] for m in mailbox.messages] == [EMAIL]
    page.goto(live_server.url(mailbox.link("letters/confirm", to=EMAIL)))
    assert "Спасибо" in page.locator("h1").inner_text()
    screenshot(page, "confirmed-ru")

    assert mailbox.deliver() == 3
    arrived = {message["To"]: message for message in mailbox.messages[1:]}
    assert set(arrived) == {by_id[s].email for s in THREE}
    today = letters.letter_date(date.today(), "ru")
    for short_id in THREE:
        message = arrived[by_id[short_id].email]
        assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
        reply_to = message["Reply-To"].addresses[0]
        assert (reply_to.addr_spec, reply_to.display_name) == (EMAIL, NAME)
        text = message.get_body(("plain",)).get_content()
        letter = text.split("\n--\n")[0].rstrip()
        assert letter.startswith(f"{by_id[short_id].name_in('ru')}\n{today}\n\n"
                                 "Уважаемые дамы и господа!")
        assert letter.endswith(f"С уважением,\n{NAME}\n{PLACE}")
        assert draft.strip() in text
        for label in letters.placeholder_labels():
            assert label not in text


def test_organizer_letters_page_opens_the_saved_template_and_shows_test_mode(
        app, live_server, page_factory, axe, screenshot):
    campaign, _by_id = _campaign_with_targets()
    from tests.factories import make_user

    admin, password = make_user(role="admin", email="admin@example.org", campaigns=[campaign])
    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", admin.email)
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")
    page.goto(live_server.url(f"/organize/c/{campaign.slug}/letters"))
    axe(page, context="letters console")
    # The console's navigation stays, and the banner says letters are in test mode.
    assert page.locator("nav.tabs").is_visible() and page.locator("nav.console-nav").count()
    assert "Test mode" in page.locator(".test-mode").inner_text()
    # Institutions grouped by organisation, in columns; no "CoE: PACE" colon.
    rows = page.locator("table.institutions")
    assert rows.locator("th[scope=rowgroup]").all_inner_texts() == [
        "United Nations", "OSCE", "Council of Europe", "European Union"]
    assert ": PACE" not in rows.inner_text()
    screenshot(page, "console-en")

    # Choosing the Russian supporters' letter opens the saved Russian template.
    assert "I am writing about the Dungans" in page.locator("#body").input_value()
    page.select_option("#open-locale", "ru")
    page.locator("form.template-chooser button[type=submit]").click()
    page.wait_for_load_state()
    assert "Я пишу вам о дунганах" in page.locator("#body").input_value()
    assert "Русский" in page.locator(".editing").inner_text()
    page.select_option("#open-kind", "cover")
    page.locator("form.template-chooser button[type=submit]").click()
    page.wait_for_load_state()
    assert "Уважаемые дамы и господа!" in page.locator("#body").input_value()  # the cover letter
    axe(page, context="letters console, cover letter in Russian")
