"""The donate page in a real browser, up to Stripe Checkout, against a fake Stripe on
loopback: the browser lands on the Checkout address the fake returned, and the fake received
the amount in minor units, the currency, the mode and the donation id. Without keys, the
page shows the offline ways to give."""
import html
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from campaign.donations import service as donations
from campaign.donations.models import Donation
from campaign.extensions import db
from tests.browser.conftest import DESKTOP, hosts_of
from tests.factories import make_campaign

OFFLINE = "IBAN KZ00 0000 0000 0000 0000\nKorday legal-aid fund, Almaty"


class FakeStripe:
    """The Stripe API's Checkout endpoint, and a Checkout page the browser can open, both on
    one loopback port (tests/donations/conftest.py has the fuller fake; its sessions point at
    a host the browser could not reach without the internet)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "form": form})
                if self.path != "/v1/checkout/sessions":
                    return self._send(404, "application/json", json.dumps(
                        {"error": {"type": "invalid_request_error", "message": "no"}}))
                session_id = f"cs_test_{next(ids)}"
                fake.sessions[session_id] = form
                return self._send(200, "application/json", json.dumps({
                    "id": session_id, "object": "checkout.session",
                    "url": f"{fake.url}/c/pay/{session_id}"}))

            def do_GET(self):
                session = fake.sessions.get(self.path.rsplit("/", 1)[-1])
                if not self.path.startswith("/c/pay/") or session is None:
                    return self._send(404, "text/plain", "no such session")
                return self._send(200, "text/html; charset=utf-8", (
                    "<!doctype html><html lang=en><title>Fake Checkout</title>"
                    f"<h1>Fake Checkout</h1><a id=pay href=\"{html.escape(session['success_url'])}"
                    "\">Pay</a></html>"))

            def _send(self, status, content_type, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def posts(self, path):
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def fake_stripe():
    fake = FakeStripe()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def stripe_app(app, fake_stripe):
    app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET="whsec_test",
                      STRIPE_API_BASE=fake_stripe.url)
    app.extensions.pop("donations_gateway", None)
    yield app
    app.extensions.pop("donations_gateway", None)


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
    assert form["success_url"] == live_server.url(f"/en/c/{campaign.slug}/donate/thanks")
    assert sent["headers"]["Authorization"] == "Bearer sk_test_fake"
    assert (donation.status, donation.currency, donation.stripe_session_id) == (
        "pending", "USD", "cs_test_1")
    assert donation.public and donation.donor_name == "Aida"

    # "Paying" leads back to the thanks page, which counts nothing by itself.
    page.locator("#pay").click()
    page.wait_for_url(f"**/en/c/{campaign.slug}/donate/thanks")
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
