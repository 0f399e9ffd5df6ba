"""Which language a visitor gets, how pages say it, and Dungan on the Russian interface."""
from __future__ import annotations

import re
from datetime import date

import pytest
from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import render_template_string

from campaign import i18n
from campaign.extensions import db
from campaign.petitions import lifecycle
from tests.conftest import make_app, wipe
from tests.factories import make_campaign

NBSP = "\u00a0"


@pytest.mark.parametrize("header, expected", [
    ("ru-RU,ru;q=0.9,en;q=0.5", "/ru/"),
    ("zh-CN,zh;q=0.9", "/zh/"),
    ("zh-Hans", "/zh/"),
    ("zh", "/zh/"),
    ("kk-KZ", "/kk/"),
    ("de-AT, en;q=0.3", "/de/"),
    ("es-ES, it;q=0.8", "/en/"),
    ("", "/en/"),
])
def test_root_redirects_by_accept_language(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header} if header else {})
    assert response.status_code == 302 and response.location.endswith(expected)


def test_chosen_language_cookie_beats_accept_language(client):
    campaign = make_campaign()
    chosen = client.get(f"/ky/language?next=/ky/c/{campaign.slug}")
    assert chosen.status_code == 302 and chosen.location.endswith(f"/ky/c/{campaign.slug}")
    assert "lang=ky" in chosen.headers["Set-Cookie"]
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert response.location.endswith("/ky/")


def test_language_switch_does_not_redirect_off_site(client):
    response = client.get("/fr/language?next=//evil.example/")
    assert response.location.endswith("/fr/")


@pytest.mark.parametrize("path", ["/es/", "/xx/c/anything", "/zh-Hans/", "/ZH/", "/dngx/"])
def test_unknown_language_prefix_is_404(client, path):
    assert client.get(path).status_code == 404


def test_html_lang_switcher_and_hreflang_alternates(client):
    campaign = make_campaign(locales=("en", "zh"))
    page = client.get(f"/zh/c/{campaign.slug}").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))
    # On SITE_URL, never the request's Host header (issue 15: cache poisoning).
    site = client.application.config["SITE_URL"]
    assert alternates == {
        **{tag: f"{site}/{code}/c/{campaign.slug}" for tag, code in [
            ("en", "en"), ("ru", "ru"), ("kk", "kk"), ("ky", "ky"), ("zh-Hans", "zh"),
            ("fr", "fr"), ("de", "de")]},
        "x-default": f"{site}/en/c/{campaign.slug}"}
    # The switcher names each language in itself, marked with its own lang.
    for tag, name in [("ru", "Русский"), ("kk", "Қазақша"), ("ky", "Кыргызча"),
                      ("zh-Hans", "中文"), ("fr", "Français"), ("de", "Deutsch")]:
        assert re.search(rf'lang="{tag}" hreflang="{tag}"[^>]*>{name}</a>', page)
    assert re.search(r'aria-current="true">中文</a>', page)
    assert "签署请愿书" in page


def test_dungan_pages_use_the_russian_interface_and_formats(client):
    campaign = make_campaign(locales=("en", "dng"))
    lifecycle.add_to_count(campaign.id, 12345)
    db.session.commit()
    page = client.get(f"/dng/c/{campaign.slug}").get_data(as_text=True)
    assert '<html lang="ru">' in page          # the interface is Russian ...
    assert "Подписать петицию" in page
    assert f"12{NBSP}345" in page and "подписей" in page
    assert f"Title {campaign.slug} dng" in page  # ... the campaign text is Dungan
    assert "not yet available" not in page and "пока не переведена" not in page


def test_babel_has_no_dungan_locale():
    """Why the catalog is chosen by language code: Flask-Babel's get_locale() parses the
    selector's answer with Locale.parse, which knows no 'dng'."""
    with pytest.raises(UnknownLocaleError):
        Locale.parse("dng")


@pytest.fixture
def app_with_dungan_catalog(database_url, tmp_path, compiled_translations):
    """The app as it will be once someone adds translations/dng: a partial Dungan catalog."""
    import shutil

    root = tmp_path / "translations"
    shutil.copytree(compiled_translations, root)
    catalog = Catalog(locale="dng")
    catalog.add("Sign the petition", "Петицийди чян")  # one entry only: the rest is missing
    (root / "dng" / "LC_MESSAGES").mkdir(parents=True)
    with (root / "dng" / "LC_MESSAGES" / "messages.mo").open("wb") as fp:
        write_mo(fp, catalog)
    app = make_app(database_url, tmp_path / "instance",
                   BABEL_TRANSLATION_DIRECTORIES=str(root))
    with app.app_context():
        yield app
        db.session.remove()
        wipe(db.engine)
        db.engine.dispose()


def test_a_dungan_catalog_needs_no_code_and_falls_back_to_russian(app_with_dungan_catalog):
    client = app_with_dungan_catalog.test_client()
    campaign = make_campaign(locales=("en", "dng"))
    lifecycle.add_to_count(campaign.id, 12345)
    db.session.commit()
    response = client.get(f"/dng/c/{campaign.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="dng">' in page
    assert "Петицийди чян" in page                 # from the Dungan catalog
    assert "Подписать петицию" not in page
    assert "Имя и фамилия" in page                 # missing in it: Russian, not English
    assert "Full name" not in page
    assert f"12{NBSP}345" in page                  # formats stay Russian
    # Other languages are untouched by the new catalog.
    assert "Подписать петицию" in client.get(f"/ru/c/{campaign.slug}").get_data(as_text=True)


def test_missing_translation_shows_default_language_marked_with_links(client):
    campaign = make_campaign(locales=("en", "ru"))
    page = client.get(f"/kk/c/{campaign.slug}").get_data(as_text=True)
    assert f"Title {campaign.slug} en" in page
    assert re.search(r'<article class="campaign" lang="en">', page)
    assert "Бұл науқан әзірге сіздің тіліңізге аударылмаған" in page
    assert f'href="/en/c/{campaign.slug}" lang="en" hreflang="en">English</a>' in page
    assert f'href="/ru/c/{campaign.slug}" lang="ru" hreflang="ru">Русский</a>' in page
    own = client.get(f"/ru/c/{campaign.slug}").get_data(as_text=True)
    assert f"Title {campaign.slug} ru" in own and "пока не переведена" not in own


def test_dungan_page_without_dungan_text_prefers_russian_text(client):
    campaign = make_campaign(locales=("en", "ru"))
    page = client.get(f"/dng/c/{campaign.slug}").get_data(as_text=True)
    assert f"Title {campaign.slug} ru" in page


def test_in_language_helper():
    texts = {"en": "E", "ru": "R"}
    assert i18n.in_language(texts, "ru", "en") == ("ru", "R")
    assert i18n.in_language(texts, "kk", "en") == ("en", "E")
    assert i18n.in_language(texts, "dng", "en") == ("ru", "R")
    assert i18n.in_language({"fr": "F"}, "kk", "en") == ("fr", "F")
    assert i18n.in_language({}, "kk", "en") is None


NNBSP = "\u202f"


@pytest.mark.parametrize("code, number, money, day", [
    ("en", "12,345", "€1,234.50", "April 27, 2021"),
    ("ru", f"12{NBSP}345", f"1{NBSP}234,50{NBSP}€", f"27 апреля 2021{NNBSP}г."),
    ("kk", f"12{NBSP}345", f"1{NBSP}234,50{NBSP}₸", f"2021{NNBSP}ж. 27 сәуір"),
    ("fr", f"12{NNBSP}345", f"1{NNBSP}234,50{NBSP}€", "27 avril 2021"),
    ("de", "12.345", f"1.234,50{NBSP}€", "27. April 2021"),
    ("zh", "12,345", "€1,234.50", "2021年4月27日"),
    ("dng", f"12{NBSP}345", f"1{NBSP}234,50{NBSP}€", f"27 апреля 2021{NNBSP}г."),
])
def test_numbers_money_and_dates_in_the_page_locale(app, code, number, money, day):
    currency = "KZT" if code == "kk" else "EUR"
    template = "{{ 12345|number }}|{{ 1234.5|currency(currency) }}|{{ day|date }}"
    with app.test_request_context(f"/{code}/"), i18n.force_language(code):
        assert render_template_string(template, day=date(2021, 4, 27),
                                      currency=currency).split("|") == [number, money, day]


def test_counts_on_pages_are_formatted(client):
    campaign = make_campaign(locales=("en", "ru"))
    lifecycle.add_to_count(campaign.id, 12345)
    db.session.commit()
    assert "12,345 signatures" in client.get("/en/").get_data(as_text=True)
    assert f"12{NBSP}345 подписей" in client.get("/ru/").get_data(as_text=True)
    lifecycle.add_to_count(campaign.id, 21 - 12345)
    db.session.commit()
    assert "21 подпись" in client.get("/ru/").get_data(as_text=True)
