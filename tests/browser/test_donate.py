"""The donate page in a real browser, up to Stripe Checkout, against a fake Stripe on
loopback: the browser lands on the Checkout address the fake returned, and the fake received
the amount in minor units, the currency, the mode and the donation id. Without keys, the
page shows the offline ways to give."""
import re

from sqlalchemy import select

from campaign.donations import service as donations
from campaign.donations.models import Donation
from campaign.extensions import db
from tests.browser.conftest import DESKTOP, hosts_of
from tests.factories import make_campaign

OFFLINE = "IBAN KZ00 0000 0000 0000 0000\nKorday legal-aid fund, Almaty"


def test_donate_in_usd_goes_to_checkout(stripe_app, fake_stripe, live_server, page_factory,
                                        axe, screenshot):
    campaign = make_campaign()
    donations.save_settings(campaign.id, currencies=["EUR", "USD"], goal_amount=None,
                            goal_currency="EUR", rates={}, offline_instructions=OFFLINE)
    page = page_factory(viewport=DESKTOP)
    page.goto(live_server.url(f"/en/c/{campaign.slug}/donate"))
    assert page.locator(".currencies [aria-current]").inner_text() == "EUR"
    axe(page, context="donate page")
    screenshot(page, "donate")

    page.locator(".currencies a[href*='currency=USD']").click()
    page.wait_for_url("**/donate?currency=USD")
    assert page.locator(".currencies [aria-current]").inner_text() == "USD"
    page.check("input[name=amount][value='50']")
    assert page.locator("input[name=frequency][value=one_time]").is_checked()
    page.fill("#donor_name", "Aida")
    page.check("#public")
    screenshot(page, "chosen")
    page.locator("form button[type=submit]").click()

    # The browser follows the 303 to the Checkout address the fake returned.
    page.wait_for_url(f"{fake_stripe.url}/c/pay/cs_test_1")
    assert page.locator("h1").inner_text() == "Fake Checkout"
    screenshot(page, "checkout")
    [sent] = fake_stripe.posts("/v1/checkout/sessions")
    db.session.expire_all()
    donation = db.session.scalar(select(Donation))
    form = sent["form"]
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "5000"  # 50 dollars in cents
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["metadata[donation_id]"] == str(donation.id)
    assert form["payment_intent_data[metadata][donation_id]"] == str(donation.id)
    assert form["success_url"] == live_server.url(
        f"/en/c/{campaign.slug}/donate/thanks") + "?session_id={CHECKOUT_SESSION_ID}"
    assert sent["headers"]["Authorization"] == "Bearer sk_test_fake"
    assert (donation.status, donation.currency, donation.stripe_session_id) == (
        "pending", "USD", "cs_test_1")
    assert donation.public and donation.donor_name == "Aida"

    # "Paying" leads back to the thanks page, which counts nothing by itself.
    page.locator("#pay").click()
    page.wait_for_url(re.compile(rf".*/en/c/{campaign.slug}/donate/thanks\?session_id=cs_test_1$"))
    screenshot(page, "thanks")
    assert donations.raised_by_currency(campaign.id) == {}
    # Nothing the browser asked for left loopback.
    assert hosts_of(page.requests) <= {live_server.host, fake_stripe.url.split("//")[1]}


def test_without_keys_the_page_shows_the_offline_ways_to_give(app, live_server, page_factory,
                                                              axe, screenshot):
    app.config.update(STRIPE_SECRET_KEY=None)
    app.extensions.pop("donations_gateway", None)
    campaign = make_campaign()
    donations.save_settings(campaign.id, currencies=["EUR"], goal_amount=None,
                            goal_currency="EUR", rates={}, offline_instructions=OFFLINE)
    page = page_factory()
    page.goto(live_server.url(f"/en/c/{campaign.slug}/donate"))
    offline = page.locator("section.offline")
    assert offline.is_visible()
    assert offline.locator("pre").inner_text() == OFFLINE
    # No card form: nothing to submit to a payment provider that is not set up.
    assert page.locator("input[name=amount]").count() == 0
    assert page.locator("form button[type=submit]").count() == 0
    screenshot(page, "offline")
    axe(page, context="donate page without Stripe")
    assert hosts_of(page.requests) == {live_server.host}
