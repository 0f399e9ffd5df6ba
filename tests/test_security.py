"""Security headers, framing, cookies, no inline script, CSRF on every POST route."""
import re
from pathlib import Path

from campaign.config import load_config
from campaign.framing import allow_framing
from tests.factories import make_campaign

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_every_page_gets_security_headers(client, app):
    campaign = make_campaign()
    for url in ("/en/", f"/en/c/{campaign.slug}", "/en/privacy", "/organize/login",
                "/en/c/nope"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_hsts_over_https(client, app):
    app.config["SITE_URL"] = "https://campaign.example"
    assert "max-age=" in client.get("/en/").headers["Strict-Transport-Security"]
    app.config["SITE_URL"] = "http://campaign.test"
    assert "Strict-Transport-Security" in client.get(
        "/en/", base_url="https://localhost").headers


def test_a_widget_view_can_allow_framing(client, app):
    @app.get("/widget-test")
    def widget():
        allow_framing(["https://partner.example"])
        return "widget"

    headers = client.get("/widget-test").headers
    assert "frame-ancestors https://partner.example" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers


def test_session_cookies_are_secure_in_production(tmp_path):
    config = load_config(str(tmp_path), {"SITE_URL": "https://campaign.example",
                                         "SECRET_KEY": "x"})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_flags_on_the_wire(client, app):
    app.config["SESSION_COOKIE_SECURE"] = True
    campaign = make_campaign()
    response = client.get(f"/en/c/{campaign.slug}", base_url="https://localhost")
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie"
                  and v.startswith("session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_or_event_handler_in_any_page_template():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "emails" in path.parts:
            continue  # e-mails are not served to browsers under our CSP
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE) or "javascript:" in text.lower():
            offenders.append(f"{path.name}: event handler or javascript: URL")
        if re.search(r"\sstyle\s*=", text, re.IGNORECASE):
            offenders.append(f"{path.name}: inline style (blocked by style-src 'self')")
    assert offenders == []


CSRF_EXEMPT = {"/stripe/webhook"}  # authenticated by Stripe's signature instead
# The organizer API takes no cookies: a request without its key is refused as unauthenticated.
KEY_AUTHENTICATED = "/api/v1/"
# The widget's form carries its own signed token (no cookie inside a partner's frame).
OWN_TOKEN = {"/<lang:lang>/c/<slug>/widget/sign"}


def _fill(rule, slug):
    from werkzeug.routing import AnyConverter, IntegerConverter

    def sample(name):
        converter = rule._converters.get(name)
        if isinstance(converter, IntegerConverter):
            return "1"
        if isinstance(converter, AnyConverter):
            return min(converter.items)
        return {"lang": "en", "slug": slug, "lang_code": "en"}.get(name, "x")

    values = {name: sample(name) for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def test_every_post_route_refuses_a_missing_csrf_token(client, app):
    campaign = make_campaign()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule in CSRF_EXEMPT:
            continue
        url = _fill(rule, campaign.slug)
        response = client.post(url, data={"email": "a@example.org"})
        if rule.rule.startswith(KEY_AUTHENTICATED):
            assert response.status_code == 401, (rule.rule, response.status_code)
            continue
        assert response.status_code == 400, (rule.rule, response.status_code)
        if rule.rule not in OWN_TOKEN:
            assert "Your form expired" in response.get_data(as_text=True), rule.rule
        checked += 1
    assert checked >= 6  # sign, unsubscribe, forget, login, logout, safety, privacy...


def test_gunicorn_access_log_holds_no_address_and_no_link_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from campaign import gunicorn_conf

    assert "%(h)s" not in gunicorn_conf.access_log_format
    logger = gunicorn_conf.PrivateAccessLogger(Config())
    request = SimpleNamespace(headers=[], method="GET", path="/confirm/SECRET.TOKEN",
                              query="", uri="/confirm/SECRET.TOKEN", version=(1, 1))
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    environ = {"REMOTE_ADDR": "203.0.113.7", "PATH_INFO": "/confirm/SECRET.TOKEN",
               "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1",
               "QUERY_STRING": "", "RAW_URI": "/confirm/SECRET.TOKEN"}
    from datetime import timedelta
    atoms = logger.atoms(response, request, environ, timedelta(seconds=0.01))
    line = gunicorn_conf.access_log_format % atoms
    assert "SECRET" not in line and "203.0.113" not in line and "/confirm/" in line
