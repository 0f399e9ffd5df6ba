"""A fake of the Stripe HTTP API on a loopback port, shared by the donation tests and the
browser tests: it records every request, answers the Checkout and customer-portal endpoints,
and serves the Checkout page itself (on the same loopback port), so a browser can follow the
redirect without the internet.

Run on its own, it lets a newcomer try a gift end to end without Stripe keys (docs/donations.md):

    python -m tests.donations.fake_stripe --site http://127.0.0.1:5000

prints the settings to export before `flask run`; its Checkout page then has a "Pay" button
that sends the site a `checkout.session.completed` webhook signed as Stripe signs it, and
returns to the site's thank-you page, where the recorded gift shows.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import itertools
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.conftest import free_port

WEBHOOK_SECRET = "whsec_test_donations_secret"


class FakeStripe:
    """Answers the few Stripe endpoints the site calls and records every request."""

    def __init__(self, port: int | None = None, webhook_url: str | None = None):
        self.webhook_url = webhook_url  # set: the Pay button sends a signed webhook there
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}   # Checkout session id -> the form it was made with
        self.fail_with: int | None = None
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "form": {k: v[0] for k, v in parse_qs(body).items()}})
                if fake.fail_with:
                    return self._json(fake.fail_with, {"error": {
                        "type": "api_error", "message": "Stripe is having a bad day"}})
                number = next(fake._ids)
                if self.path == "/v1/checkout/sessions":
                    session_id = f"cs_test_{number}"
                    fake.sessions[session_id] = fake.requests[-1]["form"]
                    return self._json(200, {
                        "id": session_id, "object": "checkout.session",
                        "url": f"{fake.url}/c/pay/{session_id}"})
                if self.path == "/v1/billing_portal/sessions":
                    return self._json(200, {
                        "id": f"bps_{number}", "object": "billing_portal.session",
                        "url": f"https://billing.stripe.test/p/session/{number}"})
                return self._json(404, {"error": {"type": "invalid_request_error",
                                                  "message": "unknown path"}})

            def do_GET(self):
                """The hosted Checkout page: a "Pay" link back to the success URL."""
                if self.path.startswith("/c/pay/") and self.path.endswith("/complete"):
                    return self._complete(self.path.split("/")[3])
                session = fake.sessions.get(self.path.rsplit("/", 1)[-1])
                if not self.path.startswith("/c/pay/") or session is None:
                    return self._send(404, "text/plain", "no such session")
                success = session["success_url"].replace(
                    "{CHECKOUT_SESSION_ID}", self.path.rsplit("/", 1)[-1])
                if fake.webhook_url:
                    return self._send(200, "text/html; charset=utf-8", (
                        "<!doctype html><html lang=en><title>Fake Checkout</title>"
                        "<h1>Fake Checkout (no real money)</h1><p>"
                        f"{html.escape(session.get('line_items[0][price_data][unit_amount]', ''))}"
                        f" {html.escape(session.get('line_items[0][price_data][currency]', ''))}"
                        " (minor units)</p><a id=pay href=\""
                        f"{html.escape(self.path)}/complete\">Pay</a></html>"))
                return self._send(200, "text/html; charset=utf-8", (
                    "<!doctype html><html lang=en><title>Fake Checkout</title>"
                    f"<h1>Fake Checkout</h1><a id=pay href=\"{html.escape(success)}"
                    "\">Pay</a></html>"))

            def _complete(self, session_id):
                """Pay: tell the site as Stripe would (a signed webhook), then go back."""
                session = fake.sessions.get(session_id)
                if session is None or not fake.webhook_url:
                    return self._send(404, "text/plain", "no such session")
                fake.send_webhook(checkout_completed(session_id, session))
                self.send_response(303)
                self.send_header("Location", session["success_url"].replace(
                    "{CHECKOUT_SESSION_ID}", session_id))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _json(self, status, payload):
                self._send(status, "application/json", json.dumps(payload))

            def _send(self, status, content_type, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port or free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def posts(self, path):
        return [r for r in self.requests if r["path"] == path]

    def send_webhook(self, event: dict) -> int:
        payload = json.dumps(event)
        request = urllib.request.Request(self.webhook_url, data=payload.encode(), headers={
            "Content-Type": "application/json", "Stripe-Signature": stripe_signature(payload)})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status


def stripe_signature(payload: str, secret: str = WEBHOOK_SECRET) -> str:
    """`t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")`, as Stripe signs."""
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(),
                      hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def checkout_completed(session_id: str, form: dict) -> dict:
    """The event Stripe sends when a Checkout session made with `form` is paid."""
    mode = form.get("mode", "payment")
    number = time.time_ns()
    return {"id": f"evt_fake_{number}", "object": "event", "type": "checkout.session.completed",
            "created": int(time.time()), "api_version": "2025-03-31.basil", "livemode": False,
            "data": {"object": {
                "id": session_id, "object": "checkout.session", "mode": mode,
                "payment_status": "paid",
                "amount_total": int(form.get("line_items[0][price_data][unit_amount]", 0)),
                "currency": form.get("line_items[0][price_data][currency]", "eur"),
                "payment_intent": f"pi_fake_{number}" if mode == "payment" else None,
                "subscription": f"sub_fake_{number}" if mode == "subscription" else None,
                "customer": f"cus_fake_{number}",
                "customer_details": {"email": form.get("customer_email") or
                                     "donor@example.org"},
                "metadata": {k[len("metadata["):-1]: v for k, v in form.items()
                             if k.startswith("metadata[")},
                "created": int(time.time())}}}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Stripe stand-in for trying donations locally")
    parser.add_argument("--site", default="http://127.0.0.1:5000",
                        help="the site's address (its SITE_URL)")
    parser.add_argument("--port", type=int, default=12111)
    args = parser.parse_args(argv)
    fake = FakeStripe(port=args.port, webhook_url=args.site.rstrip("/") + "/stripe/webhook")
    print("Fake Stripe on", fake.url, "- in the site's terminal, before `flask run`:")
    print(f"export STRIPE_SECRET_KEY=sk_test_fake STRIPE_WEBHOOK_SECRET={WEBHOOK_SECRET} "
          f"STRIPE_API_BASE={fake.url} SITE_URL={args.site}")
    print("Then give on a donate page; Ctrl-C stops the stand-in.", flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.server.server_close()


if __name__ == "__main__":
    main()


@pytest.fixture
def fake_stripe():
    fake = FakeStripe()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def stripe_app(app, fake_stripe):
    """The app with Stripe keys, talking to the loopback fake instead of Stripe."""
    app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_API_BASE=fake_stripe.url)
    app.extensions.pop("donations_gateway", None)
    yield app
    app.extensions.pop("donations_gateway", None)


