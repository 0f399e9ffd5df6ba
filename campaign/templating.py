"""What every template can use: the language switcher data, formatting filters."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import format_decimal

from . import i18n
from .countries import country_name


def url_in_language(code: str) -> str:
    """The current page in another language, or that language's home page."""
    endpoint, args = request.endpoint, dict(request.view_args or {})
    if endpoint and request.url_rule and "lang" in request.url_rule.arguments:
        args["lang"] = code
        return url_for(endpoint, **args)
    return url_for("campaigns.index", lang=code)


def error_attrs(field) -> dict:
    """ARIA attributes tying an invalid field to its message, for screen readers."""
    if not field.errors:
        return {}
    return {"aria-invalid": "true", "aria-describedby": f"{field.id}-error"}


def init_app(app):
    @app.context_processor
    def _globals():
        code = i18n.current_language()
        return {
            "lang": code,
            "html_lang": "zh-Hans" if code == "zh" else code,
            "languages": i18n.LANGUAGES,
            "interface_languages": i18n.INTERFACE_LANGUAGES,
            "url_in_language": url_in_language,
            "error_attrs": error_attrs,
        }

    @app.template_filter("number")
    def _number(value):
        return format_decimal(value or 0)

    @app.template_filter("country")
    def _country(code):
        return country_name(code, str(i18n.babel_locale(i18n.current_language())))
