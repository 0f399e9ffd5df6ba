"""Browser fixtures: the app served by a real HTTP server, a real Chromium, a real SMTP server.

- `live_server`: the test's `app` (so once per database) served by werkzeug on a free
  loopback port in a background thread; `live_server.url("/en/")` builds addresses. SITE_URL
  points at it, so links in e-mails open in the browser.
- `browser`: Debian's Chromium driven by Playwright (one per session). Missing browser: the
  tests skip with the reason, but fail when CI=true.
- `page`: a fresh browser context and tab (375 px wide by default; `page_factory` for other
  widths and languages). `page.requests` lists every request the page made.
- `mailbox`: the app delivering through a real aiosmtpd server; `mailbox.deliver()` runs the
  outbox worker once, `mailbox.link("confirm")` returns the path of the newest such link.
- `screenshot(page, "name")`: saves test-artifacts/browser/<test>-<name>.png.
- `axe(page)`: runs axe-core in the page and fails on serious or critical violations.

See docs/browser-tests.md.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from campaign.outbox import service as outbox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _unavailable(reason: str):
    """Without a browser: skip locally, fail in CI (a CI without it is misconfigured)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# --- the server ----------------------------------------------------------------------------

class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.host = urlsplit(self.base_url).netloc
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def live_server(app):
    """The test app on a real HTTP server (threaded, loopback, free port)."""
    server = LiveServer(app)
    app.config["SITE_URL"] = server.base_url  # e-mail and share links point here
    with server:
        yield server


# --- e-mail ----------------------------------------------------------------------------

class Mailbox:
    def __init__(self, app, smtp_server):
        self.app = app
        self.smtp = smtp_server

    @property
    def messages(self):
        return list(self.smtp.messages)

    def deliver(self) -> int:
        """Run the outbox worker once, as `flask outbox work` would: SMTP to aiosmtpd."""
        return outbox.work(once=True)

    def link(self, kind: str = "confirm", to: str | None = None) -> str:
        """The path of the newest `/<kind>/<token>` link e-mailed (to `to`, if given)."""
        for message in reversed(self.messages):
            if to and message["To"] != to:
                continue
            body = message.get_body(("plain",)).get_content()
            match = re.search(rf"https?://[^/\s]+(/{kind}/[^\s]+)", body)
            if match:
                return match.group(1)
        raise AssertionError(f"no /{kind}/ link in {len(self.messages)} e-mail(s)")


@pytest.fixture
def mailbox(smtp_app, smtp_server):
    # Flask-Mail suppresses sending when TESTING is on; here the SMTP server is real.
    smtp_app.extensions["mail"].suppress = False
    return Mailbox(smtp_app, smtp_server)


# --- the browser ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set "
                     "CHROMIUM_PATH)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_factory(browser, live_server):
    """Open a page: page_factory(viewport=DESKTOP, locale="ru-RU", javascript=False)."""
    contexts = []

    def open_page(viewport=PHONE, locale="en-US", javascript=True):
        # bypass_csp lets the tests inject axe-core once the site sends a strict CSP.
        context = browser.new_context(viewport=viewport, locale=locale,
                                      java_script_enabled=javascript, bypass_csp=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.requests = []
        page.on("request", lambda request: page.requests.append(request))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_factory):
    return page_factory()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name", full_page=True): a PNG under test-artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def take(page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{test_name}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


# --- accessibility -------------------------------------------------------------------------

def _axe_source() -> str:
    """axe-core from the npm registry, installed from tests/browser/package-lock.json."""
    with (HERE / "package-lock.json").open("rb") as lock:
        # pytest-xdist workers arrive here at once: one installs, the others wait and read
        # its result (two `npm ci` in one folder would delete each other's files).
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install_axe()
    return AXE_JS.read_text(encoding="utf-8")


def _install_axe() -> None:
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("axe-core is not installed and npm is missing "
                         "(npm ci --prefix tests/browser)")
        result = subprocess.run([npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
                                capture_output=True, text=True, timeout=300, check=False)
        if result.returncode != 0 or not AXE_JS.exists():
            _unavailable("could not install axe-core with `npm ci --prefix tests/browser`: "
                         + result.stderr[-500:])


@pytest.fixture(scope="session")
def axe_source():
    return _axe_source()


BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture
def axe(axe_source):
    """axe(page): run axe-core (WCAG 2.x A/AA rules and best practices) on the page as it is;
    fail listing every serious or critical violation. Returns all violations."""
    def check(page, *, context: str = ""):
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(content=axe_source)
        results = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': '
                    + (n.failureSummary || '').replace(/\\s+/g, ' '))}));
        }""")
        blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, (f"axe-core found serious violations on {context or page.url}:\n"
                              + json.dumps(blocking, indent=1, ensure_ascii=False))
        return results

    return check


def hosts_of(requests) -> set[str]:
    """The host:port of every http(s) request (data: and blob: URLs have none)."""
    return {urlsplit(r.url).netloc for r in requests if r.url.startswith(("http:", "https:"))}
