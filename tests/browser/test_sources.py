"""A real browser: a signature through a partner's widget (on another origin) is credited
to that partner, with the partner's opt-in; the organizer sees it on the partners page and
on the analytics map; the public map merges small countries. Axe-clean, screenshots kept."""
from __future__ import annotations

from sqlalchemy import select

from campaign.extensions import db
from campaign.petitions import service as petitions
from campaign.petitions.models import Signature
from campaign.sources import service as sources
from campaign.widget import service as widget
from tests.browser.conftest import DESKTOP
from tests.browser.test_widget import partner_page, partner_site  # noqa: F401 (fixture)
from tests.factories import make_campaign, make_signature, make_user


def test_partner_widget_signature_is_credited_and_the_map_shows_it(
        live_server, partner_site, browser, page_factory, axe, screenshot):  # noqa: F811
    origin, directory = partner_site
    campaign = make_campaign(locales=("en", "ru"), goal=100)
    user, password = make_user(campaigns=[campaign], email="org@example.org")
    widget.set_framing(campaign.id, [origin])
    partner = sources.save_partner(user, campaign.id, name="Kordai Friends",
                                   website=origin, origins=[origin], credited=True,
                                   api_key_ids=[])
    for country in ["KZ"] * 12 + ["KG"] * 11 + ["DE"] * 2 + ["CN"]:
        make_signature(campaign, country=country)
    path = partner_page(directory, live_server.url(""), campaign.slug)

    # The signer, on the partner's page: the widget names the partner and offers the box.
    partner_view = browser.new_page()
    partner_view.goto(origin + path)
    frame = partner_view.frame_locator("iframe.korday-widget")
    frame.locator(".partner-credit").wait_for(timeout=10_000)
    assert "Kordai Friends" in frame.locator(".partner-credit").inner_text()
    # The bot trap is out of sight in the widget too (a person filling it would be dropped).
    assert frame.locator(".hp").bounding_box()["x"] < 0
    box = frame.locator("input[name=partner_opt_in]")
    assert not box.is_checked()
    frame.locator("#full_name").fill("Aisha Vanahun")
    frame.locator("#email").fill("aisha@example.org")
    frame.locator("#country").select_option("KZ")
    box.check()
    screenshot(partner_view, "partner-widget")
    frame.locator("button[type=submit]").click()
    frame.locator("[role=status] h1").wait_for(timeout=10_000)
    partner_view.close()
    db.session.expire_all()
    signature = db.session.scalar(select(Signature).where(
        Signature.email == "aisha@example.org"))
    assert (signature.source, signature.partner_id, signature.source_origin,
            signature.partner_opt_in) == ("widget", partner.id, origin, True)
    petitions.confirm(petitions.signature_token("confirm", signature))

    # The organizer: the partner's count and opt-ins, then the map with its table.
    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url("/organize/login"))
    page.fill("#email", "org@example.org")
    page.fill("#password", password)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/organize/")
    page.goto(live_server.url(f"/organize/c/{campaign.slug}/partners"))
    row = page.locator(f"tr[data-partner='{partner.id}']")
    assert row.locator("[data-count]").get_attribute("data-count") == "1"
    assert row.locator("[data-opt-ins]").get_attribute("data-opt-ins") == "1"
    axe(page, context="partners page")
    screenshot(page, "partners")
    page.goto(live_server.url(f"/organize/c/{campaign.slug}/analytics"))
    world = page.locator("svg.world-map")
    world.wait_for()
    assert world.locator("path[data-country='KZ']").get_attribute("fill") != "#e5e5e5"
    assert page.locator(".map-table tr[data-country='KZ'] td").nth(1).inner_text() == "13"
    axe(page, context="analytics with the map")
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "analytics-map", full_page=False)

    # The organizer shows the map on the campaign page: small countries become "other".
    page.locator("#public_map").check()
    page.locator("form:has(#public_map) button[type=submit]").click()
    page.wait_for_url("**/analytics#map")
    public = page_factory(viewport=DESKTOP, locale="ru-RU")
    public.goto(live_server.url(f"/ru/c/{campaign.slug}"))
    public.locator("svg.world-map").wait_for()
    rows = public.locator(".public-map tr[data-country]")
    assert [rows.nth(i).get_attribute("data-country") for i in range(rows.count())] == [
        "KZ", "KG", "other"]
    assert "Казахстан" in public.locator(".public-map").inner_text()
    assert public.locator(".public-map tr[data-country='other'] td").nth(1).inner_text() == "3"
    axe(public, context="public campaign page with the map (ru)")
    public.locator("#map").scroll_into_view_if_needed()
    screenshot(public, "public-map-ru", full_page=False)


def test_a_visit_through_a_partners_link_offers_its_box_unticked_and_records_it(
        live_server, page_factory, axe, screenshot):
    campaign = make_campaign(locales=("en", "ru"))
    user, _password = make_user(campaigns=[campaign])
    partner = sources.save_partner(user, campaign.id, name="Kordai Friends", website="",
                                   origins=[], credited=True, api_key_ids=[],
                                   refs=["kordai-friends"])
    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url(f"/en/c/{campaign.slug}?utm_source=kordai-friends"))
    box = page.locator("#sign input[name=partner_opt_in]")
    assert not box.is_checked()
    assert "I also want to hear from Kordai Friends" in page.locator("#sign").inner_text()
    axe(page, context="sign form with a partner's opt-in box")
    page.fill("#full_name", "Aisha Vanahun")
    page.fill("#email", "aisha@example.org")
    page.locator("#country").select_option("KZ")
    box.check()
    screenshot(page, "partner-link-sign-form")
    page.locator("#sign button[type=submit]").click()
    page.wait_for_url("**/thanks*")
    db.session.expire_all()
    signature = db.session.scalar(select(Signature).where(
        Signature.email == "aisha@example.org"))
    assert (signature.source, signature.ref, signature.partner_id,
            signature.partner_opt_in) == ("web", "kordai-friends", partner.id, True)
