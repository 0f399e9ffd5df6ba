"""A supporter who signed and confirmed writes to the institutions in a real browser: the
campaign's defaults are ticked, the letter can be edited, and the letters go out through a
real SMTP server from the site, with Reply-To the supporter."""
from sqlalchemy import select

from campaign.extensions import db
from campaign.letters import service as letters
from campaign.letters.models import Letter
from campaign.targets import service as targets
from tests.browser.conftest import DESKTOP
from tests.factories import make_campaign, make_signature

NAME = "Aisha Vanahun"
EMAIL = "aisha@example.org"
SUBJECT = "Review the Korday sentences now"


def _campaign_with_targets():
    """The sourced starting set, the default letters, and five institutions offered: two
    ticked by default, two more to choose from by e-mail, one with only a web form."""
    targets.load_starting_set()
    by_id = {t.short_id: t for t in targets.all_targets()}
    campaign = make_campaign(locales=("en", "ru"))
    letters.install_default_templates(campaign)
    db.session.commit()
    offered = {by_id[s].id for s in ("sr_minority_issues", "osce_hcnm", "ohchr_upr",
                                     "cerd_secretariat", "coe_commissioner")}
    preselected = {by_id["sr_minority_issues"].id, by_id["osce_hcnm"].id}
    letters.set_campaign_targets(campaign, offered, preselected)
    return campaign, by_id


def test_confirmed_signer_writes_to_three_institutions(app, live_server, mailbox,
                                                       page_factory, axe, screenshot):
    campaign, by_id = _campaign_with_targets()
    make_signature(campaign, email=EMAIL, full_name=NAME)
    mailbox.deliver()  # the signature's own e-mails, out of the way
    before = len(mailbox.messages)

    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url(f"/en/c/{campaign.slug}/letters"))
    assert page.locator("h1").inner_text()
    axe(page, context="letters page")

    def box(short_id):
        return page.locator(f"input[name=targets][value='{by_id[short_id].id}']")

    # The campaign's defaults are ticked; the other institutions are offered, unticked.
    assert page.locator("input[name=targets]").count() == 5
    assert box("sr_minority_issues").is_checked() and box("osce_hcnm").is_checked()
    for other in ("ohchr_upr", "cerd_secretariat", "coe_commissioner"):
        assert not box(other).is_checked()
    box("ohchr_upr").check()

    # The draft letter is there to read, with the marker for each institution's name.
    body = page.locator("#body")
    draft = body.input_value()
    assert len(draft) > 100 and "[[target]]" in draft
    assert page.locator("#subject").input_value()
    page.fill("#subject", SUBJECT)
    body.fill(draft + "\n\nP.S. I followed the trials from Almaty.")
    page.fill("#full_name", NAME)
    page.fill("#email", EMAIL)
    page.fill("#place", "Almaty")
    screenshot(page, "written")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()

    status = page.get_by_role("status")
    assert status.is_visible()
    assert "on their way" in status.locator("h1").inner_text()  # not "check your inbox"
    sent_to = status.locator("li").all_inner_texts()
    assert sorted(sent_to) == sorted(by_id[s].name for s in
                                     ("sr_minority_issues", "osce_hcnm", "ohchr_upr"))
    screenshot(page, "sent")

    # Recorded, one letter per institution, queued for sending.
    db.session.expire_all()
    recorded = db.session.scalars(select(Letter).where(Letter.campaign_id == campaign.id)
                                  ).all()
    assert sorted((letter.target.short_id, letter.status) for letter in recorded) == [
        ("ohchr_upr", "queued"), ("osce_hcnm", "queued"), ("sr_minority_issues", "queued")]
    assert all(letter.sender_email == EMAIL and letter.subject == SUBJECT
               for letter in recorded)

    # And they arrive at the SMTP server: from the site, Reply-To the supporter.
    assert mailbox.deliver() == 3
    arrived = {message["To"]: message for message in mailbox.messages[before:]}
    assert set(arrived) == {by_id[s].email for s in
                            ("sr_minority_issues", "osce_hcnm", "ohchr_upr")}
    for short_id in ("sr_minority_issues", "osce_hcnm", "ohchr_upr"):
        message = arrived[by_id[short_id].email]
        assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
        reply_to = message["Reply-To"].addresses[0]
        assert (reply_to.addr_spec, reply_to.display_name) == (EMAIL, NAME)
        assert message["Subject"] == SUBJECT
        text = message.get_body(("plain",)).get_content()
        assert by_id[short_id].name in text and "[[target]]" not in text
        assert "P.S. I followed the trials from Almaty." in text
