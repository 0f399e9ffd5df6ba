"""The documented way to try a gift end to end without Stripe keys: the tests' own Stripe
stand-in, run on loopback, takes the site's Checkout, sends a signed webhook, and the gift is
recorded and shown on the thank-you page."""
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from campaign.donations import service
from campaign.donations.models import Donation
from campaign.extensions import db
from tests.conftest import csrf_from, free_port
from tests.donations.fake_stripe import WEBHOOK_SECRET, FakeStripe
from tests.factories import make_campaign

ROOT = Path(__file__).resolve().parents[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_checkout_signed_webhook_and_recorded_gift(app, client):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    site = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake = FakeStripe(webhook_url=f"{site}/stripe/webhook")
    fake.thread.start()
    app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_API_BASE=fake.url, SITE_URL=site)
    app.extensions.pop("donations_gateway", None)
    try:
        campaign = make_campaign()
        page = client.get(f"/en/c/{campaign.slug}/donate").get_data(as_text=True)
        started = client.post(f"/en/c/{campaign.slug}/donate", data={
            "csrf_token": csrf_from(page), "currency": "EUR", "amount": "25",
            "frequency": "one_time"})
        assert started.status_code == 303 and started.location.startswith(fake.url)
        checkout = urllib.request.urlopen(started.location, timeout=10).read().decode()
        assert "Fake Checkout" in checkout and "/complete" in checkout
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(started.location + "/complete", timeout=10)
        assert redirect.value.code == 303
        back = redirect.value.headers["Location"]
        db.session.expire_all()
        donation = db.session.scalar(select(Donation))
        assert donation.status == "paid", donation.status
        assert service.progress(campaign.id).raised["EUR"].amount == 25
        assert "session_id=cs_test_" in back
        thanks = client.get(back.replace(site, "")).get_data(as_text=True)
        assert "We have received your gift of €25.00" in thanks
        # Without the session (or with another campaign's), the page stays neutral.
        neutral = client.get(f"/en/c/{campaign.slug}/donate/thanks?session_id=cs_nope")
        assert "Stripe is confirming your payment" in neutral.get_data(as_text=True)
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        server.shutdown()
        app.extensions.pop("donations_gateway", None)


def test_the_command_prints_the_settings_to_export():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.donations.fake_stripe", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        first, second = process.stdout.readline(), process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first
        assert f"STRIPE_API_BASE=http://127.0.0.1:{port}" in second
        assert f"STRIPE_WEBHOOK_SECRET={WEBHOOK_SECRET}" in second
    finally:
        process.terminate()
        process.wait(timeout=10)
