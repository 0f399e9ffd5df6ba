"""Leaks and crashes a client can cause: open redirects, NUL bytes and unencodable input in
any URL, query or form, a forged Host header, and widget origins in Unicode."""
from __future__ import annotations

import re
import tempfile

import pytest

from campaign import create_app
from campaign.extensions import db
from campaign.util import local_path
from tests.conftest import csrf_from, login, make_app
from tests.factories import make_campaign, make_signature, make_user

HOSTILE_NEXT = ["/%09/evil.test", "//evil.test", "\\\\evil.test", "/\\evil.test",
                "javascript:alert(1)", "https://evil.test/", "http:evil.test",
                "/%0d%0aSet-Cookie:%20x=1", "%2F%2Fevil.test", "/ok%00", "", "evil.test"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_language_switcher_goes_only_to_a_local_path(client, app, target):
    response = client.get(f"/ru/language?next={target}")
    if "%00" in target:  # malformed for every URL of the site
        assert response.status_code == 400
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/ru/", "http://localhost/ru/") or (
        target.startswith("/") and location == target and local_path(target)), location
    assert "evil" not in location


def test_a_local_path_is_kept(client, app):
    assert client.get("/ru/language?next=/ru/c/x").headers["Location"] == "/ru/c/x"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_next_goes_only_to_the_console(client, app, target):
    user, password = make_user()
    assert client.get(f"/organize/login?next={target}").status_code in (200, 400)
    response = login(client, user.email, password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/organize/"


def test_local_path_rules():
    assert local_path("/en/c/x?a=1") == "/en/c/x?a=1"
    for bad in ("//x", "/\\x", "/\tx", "/x\r\nSet-Cookie: a", "x", None, 3, "/" + "a" * 3000):
        assert local_path(bad) is None, bad


# --- NUL bytes and unencodable input anywhere: 400 or 404, never a 500 -------------------------

def _all_rules():
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                          "TESTING": True}, instance_path=instance)
        return sorted((r.rule, sorted(r.methods - {"HEAD", "OPTIONS"}))
                      for r in app.url_map.iter_rules() if r.endpoint != "static")


ALL_RULES = _all_rules()
# Malformed: refused with 400 wherever they appear (path, query, form body).
NUL_SEGMENTS = ["a%00b", "%ff%fe"]
NUL_QUERY = "q=%00&currency=EUR%00&before=1%00"
# Well-formed but odd: any answer but a 500 (a huge id must not overflow a database column).
ODD_SEGMENTS = ["\u202ex", "99999999999999999999999999", "-1", "%E2%80%8B"]
ODD_QUERY = ("q=%E2%80%AE" + "x" * 3000 + "&currency=ZZZ&before=99999999999999999999999999"
             "&cursor=zzzz&per_page=99999999999999999999&lang=xx&locale=xx&status=zz&kind=zz"
             "&campaign=99999999999999999999&person=%25_&page=-99999999999999999999")
NUL_FORM = ("full_name=a%00b&email=x%00%40y.org&comment=%00&q=%00&reason=%00&code=%00"
            "&password=%00&name=%00")


def _fill(rule, segment, slug):
    def value(match):
        converter, name = match.group(1) or "", match.group(2)
        if name in ("lang", "lang_code"):
            return "en"
        if segment is None:
            return slug if name == "slug" else "1"
        if converter.startswith(("int", "any")) and not segment.lstrip("-").isdigit():
            return "1" if "%" in segment else "99999999999999999999999999"
        return segment
    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule)


def _send(client, method, url, token, body=""):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data=f"csrf_token={token}&{body}",
                       content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("rule,methods", ALL_RULES, ids=[r for r, _ in ALL_RULES])
def test_no_input_makes_a_500(client, app, rule, methods):
    campaign = make_campaign()
    make_signature(campaign)
    admin, password = make_user(role="admin", campaigns=[campaign])
    for logged_in in (False, True):
        if logged_in:
            login(client, admin.email, password)
        page = client.get("/organize/" if logged_in else "/organize/login")
        token = csrf_from(page.get_data(as_text=True))
        plain = _fill(rule, None, campaign.slug)
        for method in methods:
            # NUL or non-UTF-8 in the path, the query or the form: 400, before any view.
            for segment in NUL_SEGMENTS:
                url = _fill(rule, segment, campaign.slug)
                if url == plain:
                    continue  # no segment of this rule takes free text
                response = _send(client, method, url, token)
                assert response.status_code in (400, 404), (method, rule, segment,
                                                            response.status_code)
            response = _send(client, method, f"{plain}?{NUL_QUERY}", token)
            assert response.status_code == 400, (method, plain, response.status_code)
            if method != "GET":
                # A console form with a NUL: 400 (the gate); a public form: its own
                # translated field error (422) or the usual answer, never a 500.
                response = _send(client, method, plain, token, NUL_FORM)
                if plain.startswith("/organize/"):
                    assert response.status_code == 400, (method, plain, response.status_code)
                else:  # (503: the donate form without Stripe configured, as in tests)
                    assert response.status_code < 500 or (
                        response.status_code == 503 and "donate" in plain), (
                        method, plain, response.status_code)
            # Odd but well-formed: anything but a 500.
            for segment in ODD_SEGMENTS if "<" in rule else [None]:
                url = _fill(rule, segment, campaign.slug) if segment else plain
                response = _send(client, method, f"{url}?{ODD_QUERY}", token,
                                 "q=%E2%80%AE&currency=ZZZ&amount=1e999999&before=-1")
                assert response.status_code < 500, (method, url, response.status_code)


def test_a_forged_host_is_refused_in_production(tmp_path, database_url):
    app = make_app(database_url, tmp_path / "instance", SITE_URL="https://korday.example")
    from campaign.config import _trusted_hosts
    app.config["TRUSTED_HOSTS"] = _trusted_hosts(None, "https://korday.example")
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.test"}).status_code == 400
    assert client.get("/favicon.ico", headers={"Host": "korday.example"}).status_code == 200


def test_production_settings_allow_only_the_sites_hosts(tmp_path):
    """From the environment as a deployment sets it: an https SITE_URL alone allows only its
    host; ALLOWED_HOSTS names more; plain http (development) allows any."""
    from campaign.config import load_config
    def hosts(**environ):
        return load_config(str(tmp_path), environ)["TRUSTED_HOSTS"]
    assert hosts(SITE_URL="https://Korday.example/") == ["korday.example"]
    assert hosts(SITE_URL="https://korday.example", ALLOWED_HOSTS="korday.example, www.k.example"
                 ) == ["korday.example", "www.k.example"]
    assert hosts(SITE_URL="http://localhost:5000") is None


def test_absolute_links_come_from_site_url_not_the_host_header(client, app):
    campaign = make_campaign(locales=("en", "ru"))
    page = client.get(f"/en/c/{campaign.slug}", headers={"Host": "evil.test"}).get_data(
        as_text=True)
    assert "evil.test" not in page
    assert f'rel="canonical" href="http://campaign.test/en/c/{campaign.slug}"' in page
    assert f'og:url" content="http://campaign.test/en/c/{campaign.slug}"' in page
    assert 'hreflang="ru" href="http://campaign.test/ru/c/' in page


def test_widget_origins_are_stored_idna_encoded(app):
    from campaign.widget import service as widget
    assert widget.normalize_origin("https://Пример.рф/путь") == "https://xn--e1afmkfd.xn--p1ai"
    with pytest.raises(widget.BadOrigin):
        widget.normalize_origin("https://a\u200b\u0000.example")
    # Stored that way, so the CSP header (ASCII only) names it as browsers send it.
    campaign = make_campaign()
    widget.set_framing(campaign.id, ["https://Пример.рф", "https://bücher.example:8443"])
    db.session.expire_all()
    assert widget.settings_for(campaign.id).allowed_origins == (
        "https://xn--e1afmkfd.xn--p1ai https://xn--bcher-kva.example:8443")
    assert widget.frame_ancestors(campaign.id) == ["https://xn--e1afmkfd.xn--p1ai",
                                                  "https://xn--bcher-kva.example:8443"]


def test_gunicorn_has_no_shared_control_socket(monkeypatch, tmp_path):
    import importlib

    from campaign import gunicorn_conf
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    conf = importlib.reload(gunicorn_conf)
    assert conf.control_socket_disable is True
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", "1")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    conf = importlib.reload(gunicorn_conf)
    assert conf.control_socket == str(tmp_path / "gunicorn.ctl")
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET")
    importlib.reload(gunicorn_conf)
