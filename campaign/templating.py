"""What every template can use: the language switcher data, formatting filters.

Formatting goes through Babel in the page's format locale (`i18n.select_locale`): numbers
`12 345` (ru) / `12,345` (en), dates, and money `1 234,50 ₸` (kk).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from flask import Flask, current_app, request, url_for
from flask_babel import format_currency, format_date, format_datetime, format_decimal

from . import i18n
from .countries import country_name
from .status_labels import status_label


def url_in_language(code: str, external: bool = False) -> str:
    """The current page in another language, or that language's home page.

    `external`: absolute on SITE_URL, never on the request's Host header (a forged Host
    must not reach a cached page's hreflang links)."""
    endpoint, args = request.endpoint, dict(request.view_args or {})
    if endpoint and request.url_rule and "lang" in request.url_rule.arguments:
        args["lang"] = code
        path = url_for(endpoint, **args)
    else:
        path = url_for("campaigns.index", lang=code)
    return current_app.config["SITE_URL"] + path if external else path


def alternate_links() -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of this page in every reader language (Dungan too), plus
    x-default."""
    if not (request.url_rule and "lang" in request.url_rule.arguments):
        return []
    links = [(i18n.LANGUAGES[code].bcp47, url_in_language(code, external=True))
             for code in i18n.READER_LANGUAGES]
    links.append(("x-default", url_in_language(i18n.DEFAULT_LANGUAGE, external=True)))
    return links


def error_attrs(field: Any) -> dict[str, str]:
    """ARIA attributes tying an invalid field to its message, for screen readers."""
    if not field.errors:
        return {}
    return {"aria-invalid": "true", "aria-describedby": f"{field.id}-error"}


def format_money(amount: Decimal | int | None, currency: str) -> str:
    """`1 234,50 ₸` in kk, `$1,234.50` in en, in the page's format locale."""
    return cast(str, format_currency(Decimal(str(amount or 0)), currency))


def init_app(app: Flask) -> None:
    # Same whitespace policy as extraction (`trimmed = true` in translations/babel.cfg).
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def _globals() -> dict[str, Any]:
        code = i18n.current_language()
        return {
            "lang": code,
            # The interface's language: a /dng/ page has a Russian interface until a
            # translations/dng catalog exists; content in another language carries its own lang=.
            "html_lang": i18n.LANGUAGES[i18n.interface_language(code)].bcp47,
            "languages": i18n.LANGUAGES,
            "interface_languages": i18n.INTERFACE_LANGUAGES,
            "reader_languages": i18n.READER_LANGUAGES,
            "url_in_language": url_in_language,
            "alternate_links": alternate_links,
            "error_attrs": error_attrs,
            "status_label": status_label,
        }

    @app.template_filter("number")
    def _number(value: Decimal | int | float | None) -> str:
        return cast(str, format_decimal(value or 0))

    @app.template_filter("date")
    def _date(value: date | datetime | None, format: str = "long") -> str:
        """`27 April 2021` / `27 апреля 2021 г.` / `2021年4月27日`; empty for None."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.date()
        return cast(str, format_date(value, format))

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, format: str = "medium") -> str:
        return "" if value is None else cast(str, format_datetime(value, format))

    @app.template_filter("currency")
    def _currency(amount: Decimal | int | None, currency: str) -> str:
        return format_money(amount, currency)

    @app.template_filter("country")
    def _country(code: str) -> str:
        return country_name(code, str(i18n.babel_locale(i18n.current_language())))
