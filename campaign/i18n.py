"""Languages of the site: which exist, how a request picks one, and formatting helpers.

A *language* here is what appears in the URL prefix (``/ru/``) and what campaign content is
written in. Two things are derived from it, separately:

- the **format locale** (a CLDR locale Babel knows) for numbers, dates, currencies and plural
  rules of formatting: what Flask-Babel's locale selector returns;
- the **catalog**: ``translations/<language code>/LC_MESSAGES/messages.mo``, loaded by
  `CatalogDomain` by language code, falling back along `Language.fallback` and finally to the
  English msgids.

Dungan (``dng``) has no CLDR locale (``Locale.parse('dng')`` raises), so it formats as Russian
and, until a ``translations/dng`` catalog exists, shows the Russian interface; adding that
catalog needs no code, and untranslated entries in it fall back to Russian. See docs/i18n.md.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import flask_babel
from babel import Locale, support
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from werkzeug.routing import BaseConverter

T = TypeVar("T")


@dataclass(frozen=True)
class Language:
    code: str           # URL prefix and content-language code
    native_name: str    # how the language names itself, for the switcher
    babel_locale: str   # CLDR locale for formats and plural rules
    interface: bool     # offered as an interface language in the switcher
    fallback: str | None = None  # language whose catalog and content stand in for this one

    @property
    def bcp47(self) -> str:
        """The tag for lang= and hreflang= attributes."""
        return "zh-Hans" if self.code == "zh" else self.code


LANGUAGES: dict[str, Language] = {lang.code: lang for lang in [
    Language("en", "English", "en", True),
    Language("ru", "Русский", "ru", True),
    Language("kk", "Қазақша", "kk", True),
    Language("ky", "Кыргызча", "ky", True),
    Language("zh", "中文", "zh_Hans", True),
    Language("fr", "Français", "fr", True),
    Language("de", "Deutsch", "de", True),
    Language("dng", "Хуэйзў йүян", "ru", False, fallback="ru"),
]}
DEFAULT_LANGUAGE = "en"
INTERFACE_LANGUAGES = [code for code, lang in LANGUAGES.items() if lang.interface]
CONTENT_LANGUAGES = list(LANGUAGES)
# What a reader can choose: the switcher, hreflang links, the cookie and Accept-Language.
# Dungan is one of them although its interface is Russian (no catalog of its own yet).
READER_LANGUAGES = list(LANGUAGES)
LANGUAGE_COOKIE = "lang"


class LanguageConverter(BaseConverter):
    """Matches only known language codes, so an unknown prefix is an ordinary 404."""

    regex = "(?:" + "|".join(sorted(LANGUAGES, key=len, reverse=True)) + ")"


def format_locale(code: str) -> str:
    """The CLDR locale for numbers, dates and currencies of this language (`ru` for `dng`)."""
    return (LANGUAGES.get(code) or LANGUAGES[DEFAULT_LANGUAGE]).babel_locale


def catalog_locale(code: str) -> str:
    """Kept for callers of `force_locale(catalog_locale(x))`: the (parseable) format locale.

    Prefer `force_language(x)`, which also switches the catalog by language code.
    """
    return format_locale(code)


def catalog_chain(code: str) -> list[str]:
    """Catalog directories tried for a language, best first: `dng` -> `dng`, `ru`."""
    chain, lang = [], LANGUAGES.get(code)
    while lang is not None and lang.code not in chain:
        chain.append(lang.code)
        lang = LANGUAGES.get(lang.fallback) if lang.fallback else None
    return chain or [DEFAULT_LANGUAGE]


def has_catalog(code: str) -> bool:
    return any((Path(d) / code / "LC_MESSAGES" / "messages.mo").is_file()
               for d in flask_babel.get_babel().translation_directories)


def interface_language(code: str) -> str:
    """The language the interface chrome of a `code` page is actually in (`ru` for `dng`)."""
    cache: dict[str, str] = current_app.extensions.setdefault("i18n_interface", {})
    if code not in cache:
        cache[code] = next((c for c in catalog_chain(code)
                            if c == DEFAULT_LANGUAGE or has_catalog(c)), DEFAULT_LANGUAGE)
    return cache[code]


def current_language() -> str:
    """The page's language code: forced (e-mails), URL prefix, else guessed for this request."""
    if has_app_context():
        forced: str | None = g.get("_forced_language")
        if forced:
            return forced
        code: str | None = g.get("lang")
        if code:
            return code
    if has_request_context():
        return preferred_language()
    return DEFAULT_LANGUAGE


def select_locale() -> str:
    """Flask-Babel's locale selector: always a locale Babel can parse (formats only)."""
    return format_locale(current_language())


@contextmanager
def force_language(code: str) -> Iterator[None]:
    """Render in `code` whatever the request's language: catalog, formats, `lang` variable."""
    previous = g.get("_forced_language")
    g._forced_language = code
    try:
        with flask_babel.force_locale(format_locale(code)):
            yield
    finally:
        g._forced_language = previous


def _language_for_locale(locale: Locale) -> str:
    """Map a locale forced through plain `flask_babel.force_locale` back to a language."""
    name = str(locale)
    for lang in LANGUAGES.values():
        if lang.interface and lang.babel_locale == name:
            return lang.code
    return locale.language if locale.language in LANGUAGES else DEFAULT_LANGUAGE


class CatalogDomain(flask_babel.Domain):
    """Flask-Babel's domain, but catalogs are found by *language code*, not by locale.

    Flask-Babel loads `<dir>/<str(get_locale())>/...`, and get_locale() must be a CLDR locale,
    so a `dng` catalog could never be loaded that way. Here each language's catalog is read
    directly with `babel.support.Translations`, chained to its fallbacks with gettext's own
    `add_fallback`, and cached per app (tests run several apps with different directories).
    """

    def get_translations(self) -> support.NullTranslations:
        if not has_app_context():
            return support.NullTranslations()
        code = None if g.get("_forced_language") else _flask_babel_forced()
        code = code or current_language()
        cache: dict[str, support.NullTranslations] = current_app.extensions.setdefault(
            "i18n_catalogs", {})
        try:
            return cache[code]
        except KeyError:
            translations = cache[code] = load_catalogs(
                catalog_chain(code), flask_babel.get_babel().translation_directories)
            return translations


def _flask_babel_forced() -> str | None:
    ctx = flask_babel._get_current_context()
    forced = getattr(ctx, "forced_babel_locale", None) if ctx is not None else None
    return _language_for_locale(forced) if forced is not None else None


def load_catalogs(chain: list[str], directories: list[str], domain: str = "messages"
                  ) -> support.NullTranslations:
    """The compiled catalogs of `chain` (best first) chained by fallback; English ids last."""
    result = None
    for code in chain:
        for directory in directories:
            path = Path(directory) / code / "LC_MESSAGES" / f"{domain}.mo"
            if not path.is_file():
                continue
            with path.open("rb") as fp:
                catalog = support.Translations(fp, domain=domain)
            if result is None:
                result = catalog
            else:
                result.add_fallback(catalog)
    return result or support.NullTranslations()


def preferred_language() -> str:
    """Cookie first, then Accept-Language, else English."""
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in READER_LANGUAGES:
        return cookie
    # Best quality first; a region or script (de-AT, zh-CN, zh-Hans) counts for its language,
    # so `de-AT, en;q=0.3` is German. Werkzeug's best_match would prefer the exact `en`.
    for value, _quality in request.accept_languages:
        primary = value.split("-")[0].lower()
        if primary in READER_LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def babel_locale(code: str) -> Locale:
    return Locale.parse(format_locale(code))


def content_chain(code: str, default: str) -> list[str]:
    """Languages to try for content shown on a `code` page: itself, its fallback, the default."""
    chain = catalog_chain(code) if code in LANGUAGES else [code]
    return chain + ([default] if default not in chain else [])


def in_language(texts: Mapping[str, T], code: str, default: str) -> tuple[str, T] | None:
    """`(language, text)`: the text in `code`, else its fallback (`dng` -> `ru`), else the
    `default` language's, else any; None when there is no text at all.

    Any per-language content (campaign texts, letter templates) can use this; compare the
    returned language with `code` to mark a text shown in another language.
    """
    for candidate in content_chain(code, default):
        if candidate in texts:
            return candidate, texts[candidate]
    for candidate, text in texts.items():
        return candidate, text
    return None


def init_app(app: Flask) -> None:
    """Wire Flask-Babel to these rules (called by create_app)."""
    from .extensions import babel

    babel.init_app(app, locale_selector=select_locale)
    # One domain object for the process; it keeps its catalogs per app (see CatalogDomain).
    babel.domain_instance = CatalogDomain()

    @app.url_value_preprocessor
    def _pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        # A request starts with no language of its own (tests reuse one app context).
        g.pop("lang", None)
        if g.get("_flask_babel") is not None:  # Flask-Babel's state from an earlier request
            flask_babel.refresh()
        if values and "lang" in values:
            g.lang = values.pop("lang")
