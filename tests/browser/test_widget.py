"""A real browser: the widget inside a partner page on another origin (and another site:
`localhost` vs `127.0.0.1`, so our cookies would be third-party there).

The app is served from one loopback port (`live_server`), the partner page from a second;
the browser is the suite's shared Chromium (tests/browser/conftest.py).
"""
from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.outbox.models import OutboxMessage
from campaign.petitions.models import Signature
from campaign.widget import service as widget
from tests.conftest import free_port
from tests.factories import make_campaign, make_signature


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def partner_site(tmp_path):
    """A partner's static site on another port, reached as `localhost`; yields (origin, dir)."""
    port = free_port()
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}", tmp_path
    server.shutdown()
    thread.join(5)


def partner_page(directory: Path, app_url: str, slug: str) -> str:
    (directory / "index.html").write_text(f"""<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Partner</title></head>
<body><h1>Partner news</h1>
<script src="{app_url}/static/widget.js" data-campaign="{slug}" data-lang="ru"
  data-theme="dark" data-accent="aa3300"></script>
<p>After the widget.</p></body></html>""")
    return "/index.html"


def test_widget_signs_inside_a_partner_page_on_another_origin(live_server, partner_site, browser):
    origin, directory = partner_site
    campaign = make_campaign(locales=("en", "ru"), goal=10)
    make_signature(campaign)
    widget.set_framing(campaign.id, [origin])
    path = partner_page(directory, live_server.url(""), campaign.slug)

    page = browser.new_page()
    page.goto(origin + path)
    frame = page.frame_locator("iframe.korday-widget")
    count = frame.locator("[data-count]")
    count.wait_for(timeout=10_000)
    assert count.get_attribute("data-count") == "1"
    assert f"Title {campaign.slug} ru" in frame.locator("h1").inner_text()
    assert frame.locator("body.theme-dark").count() == 1
    # widget-frame.js told the partner page its height (postMessage), so no scrollbar.
    page.wait_for_function(
        "() => /px$/.test(document.querySelector('iframe.korday-widget').style.height)",
        timeout=10_000)

    frame.locator("#full_name").fill("Aisha Vanahun")
    frame.locator("#email").fill("aisha@example.org")
    frame.locator("#country").select_option("KZ")
    frame.locator("button[type=submit]").click()
    frame.locator("[role=status] h1").wait_for(timeout=10_000)
    assert page.url == origin + path  # the partner's page stayed; only the frame moved on

    db.session.expire_all()
    signature = db.session.scalar(select(Signature).where(
        Signature.email == "aisha@example.org"))
    assert signature is not None and signature.status == "pending"
    assert signature.locale == "ru"
    assert db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.to_addr == "aisha@example.org")).kind == "signature_confirm"
    page.close()


def test_an_unlisted_site_cannot_frame_the_widget(live_server, partner_site, browser):
    origin, directory = partner_site
    campaign = make_campaign()
    widget.set_framing(campaign.id, ["https://some-other-partner.example"])
    path = partner_page(directory, live_server.url(""), campaign.slug)

    page = browser.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "frame-ancestors" in message.text else None)
    page.goto(origin + path)
    page.locator("iframe.korday-widget").wait_for(timeout=10_000)
    page.wait_for_timeout(1500)
    inner = [f for f in page.frames if f is not page.main_frame]
    assert inner, "the script made no iframe"
    # The browser refused to render our page inside the partner's: no widget content.
    assert all(not f.url.startswith(live_server.url("")) or f.locator("[data-count]").count() == 0
               for f in inner)
    assert any(re.search(r"frame-ancestors", text) for text in blocked)
    page.close()
