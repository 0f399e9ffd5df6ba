"""Languages of the site: which exist, how a request picks one, and formatting helpers.

A *language* here is what appears in the URL prefix (``/ru/``) and what campaign content is
written in. Each has a Babel locale used for the interface catalog and for number and date
formats. Dungan (``dng``) has no CLDR locale, so it borrows Russian formats and, until a
``translations/dng`` catalog exists, the Russian interface; adding that catalog needs no code.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from flask import current_app, g, request
from werkzeug.routing import BaseConverter


@dataclass(frozen=True)
class Language:
    code: str           # URL prefix and content-language code
    native_name: str    # how the language names itself, for the switcher
    babel_locale: str   # CLDR locale for formats and plural rules
    interface: bool     # offered as an interface language in the switcher


LANGUAGES: dict[str, Language] = {lang.code: lang for lang in [
    Language("en", "English", "en", True),
    Language("ru", "Русский", "ru", True),
    Language("kk", "Қазақша", "kk", True),
    Language("ky", "Кыргызча", "ky", True),
    Language("zh", "中文", "zh_Hans", True),
    Language("fr", "Français", "fr", True),
    Language("de", "Deutsch", "de", True),
    Language("dng", "Хуэйзў йүян", "ru", False),
]}
DEFAULT_LANGUAGE = "en"
INTERFACE_LANGUAGES = [code for code, lang in LANGUAGES.items() if lang.interface]
CONTENT_LANGUAGES = list(LANGUAGES)
LANGUAGE_COOKIE = "lang"


class LanguageConverter(BaseConverter):
    """Matches only known language codes, so an unknown prefix is an ordinary 404."""

    regex = "(?:" + "|".join(sorted(LANGUAGES, key=len, reverse=True)) + ")"


def catalog_locale(code: str) -> str:
    """The locale whose gettext catalog serves this language's interface."""
    lang = LANGUAGES.get(code) or LANGUAGES[DEFAULT_LANGUAGE]
    translations = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    if (translations / code).is_dir():
        return code
    return lang.babel_locale


def current_language() -> str:
    """The page's language code: from the URL prefix, else as guessed for this request."""
    code = getattr(g, "lang", None)
    if code:
        return code
    if request:
        return preferred_language()
    return DEFAULT_LANGUAGE


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    return catalog_locale(current_language())


def preferred_language() -> str:
    """Cookie first, then Accept-Language, else English."""
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in INTERFACE_LANGUAGES:
        return cookie
    # Accept-Language names zh as zh-CN/zh-Hans/zh; match on the primary subtag.
    best = request.accept_languages.best_match(
        INTERFACE_LANGUAGES + ["zh-CN", "zh-Hans", "zh-SG"])
    if best:
        return best.split("-")[0]
    for value, _quality in request.accept_languages:
        primary = value.split("-")[0].lower()
        if primary in INTERFACE_LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def babel_locale(code: str) -> Locale:
    return Locale.parse((LANGUAGES.get(code) or LANGUAGES[DEFAULT_LANGUAGE]).babel_locale)
