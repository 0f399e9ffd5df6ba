"""A fake of the Stripe HTTP API on a loopback port, shared by the donation tests and the
browser tests: it records every request, answers the Checkout and customer-portal endpoints,
and serves the Checkout page itself (on the same loopback port), so a browser can follow the
redirect without the internet."""
from __future__ import annotations

import html
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.conftest import free_port

WEBHOOK_SECRET = "whsec_test_donations_secret"


class FakeStripe:
    """Answers the few Stripe endpoints the site calls and records every request."""

    def __init__(self):
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
                session = fake.sessions.get(self.path.rsplit("/", 1)[-1])
                if not self.path.startswith("/c/pay/") or session is None:
                    return self._send(404, "text/plain", "no such session")
                return self._send(200, "text/html; charset=utf-8", (
                    "<!doctype html><html lang=en><title>Fake Checkout</title>"
                    f"<h1>Fake Checkout</h1><a id=pay href=\"{html.escape(session['success_url'])}"
                    "\">Pay</a></html>"))

            def _json(self, status, payload):
                self._send(status, "application/json", json.dumps(payload))

            def _send(self, status, content_type, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
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
    """The app with Stripe keys, talking to the loopback fake instead of Stripe."""
    app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_API_BASE=fake_stripe.url)
    app.extensions.pop("donations_gateway", None)
    yield app
    app.extensions.pop("donations_gateway", None)


