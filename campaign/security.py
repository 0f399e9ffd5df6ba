"""Security headers on every response, and e-mail addresses masked in every log line.

Pages carry no inline script, so the Content-Security-Policy allows scripts only from this
site. Framing is decided in one place, `campaign/framing.py` (refused everywhere but where a
view such as the widget allows it); its hook runs after this one and sets frame-ancestors.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, abort, current_app, request

from . import framing

# No 'unsafe-inline' for scripts; styles too come only from our stylesheet.
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action {form_action}")
_PERMISSIONS = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                "interest-cohort=(), browsing-topics=()")


_NO_STORE_PREFIXES = ("/confirm/", "/forget/", "/unsubscribe/", "/privacy/", "/organize")
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


@lru_cache(maxsize=16)
def _default_headers(form_action: str, refuse_framing: bool = False
                     ) -> tuple[tuple[str, str, str], ...]:
    """(lower-case name, name, value) of every header each response gets unless it has its
    own: built once per CSP_FORM_ACTION value, not on every response. With
    `refuse_framing`, the CSP and X-Frame-Options exactly as framing.apply_frame_policy would
    make them for a page nobody may frame, so that hook has nothing left to do."""
    csp = _CSP.format(form_action=form_action)
    headers = [("Content-Security-Policy", framing.refused_csp(csp) if refuse_framing else csp),
               ("X-Content-Type-Options", "nosniff"),
               ("Referrer-Policy", "same-origin"),
               ("Permissions-Policy", _PERMISSIONS),
               ("Cross-Origin-Opener-Policy", "same-origin")]
    if refuse_framing:
        headers.append(("X-Frame-Options", "DENY"))
    return tuple((name.lower(), name, value) for name, value in headers)


_FRAMING_HEADERS = frozenset({"content-security-policy", "x-frame-options"})


def set_security_headers(response: Response) -> Response:
    config = current_app.config
    headers = response.headers
    # What a view set itself stays (as setdefault would): one pass over the headers instead
    # of one per default.
    header_list = getattr(headers, "_list", None)
    present = {name.lower() for name, _value in (
        header_list if isinstance(header_list, list) else headers)}
    environ = request.environ
    refuse = framing.framing_refused() and present.isdisjoint(_FRAMING_HEADERS)
    wanted = [(name, value) for lower, name, value
              in _default_headers(config.get("CSP_FORM_ACTION") or "'self'", refuse)
              if lower not in present]
    if refuse:
        environ[framing.APPLIED] = True
    if "strict-transport-security" not in present and (
            environ.get("wsgi.url_scheme") == "https"  # request.is_secure, without the proxy
            or config.get("SITE_URL", "").startswith("https://")):
        wanted.append(_HSTS)
    # Pages with tokens or personal data must not linger in shared caches. (PATH_INFO is
    # request.path's source; the prefixes are ASCII.)
    if "cache-control" not in present and environ.get("PATH_INFO", "").startswith(
            _NO_STORE_PREFIXES):
        wanted.append(("Cache-Control", "no-store"))
    # Our own constants, checked once: appended as they are, without Werkzeug checking each
    # value for line breaks again on every response (the public way when that list is gone).
    if isinstance(header_list, list):
        header_list.extend(wanted)
    else:
        headers.extend(wanted)
    return response


# --- logs never hold e-mail addresses ---------------------------------------------------

EMAIL_PATTERN = re.compile(r"([A-Za-z0-9._%+\-]{1,64})@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")


def mask_emails(text: str) -> str:
    """`aisha.v@example.org` -> `a***@e***.org`: enough to tell lines apart, not to contact."""
    def _mask(match: re.Match[str]) -> str:
        local, domain = match.group(1), match.group(2)
        tld = domain.rsplit(".", 1)[-1]
        return f"{local[:1]}***@{domain[:1]}***.{tld}"
    return EMAIL_PATTERN.sub(_mask, text)


# A link's token opens someone's data: a path carrying one is logged without it, wherever the
# line comes from (the development server logs every request line; gunicorn's access log has
# its own rule in gunicorn_conf.py).
LINK_TOKEN_PATH = re.compile(r"/(confirm|unsubscribe/all|unsubscribe|forget|privacy/data|"
                             r"letters/confirm|donations/manage|organize/invite|"
                             r"organize/reset)/[^/\s?\"']+")


def mask_link_tokens(text: str) -> str:
    return LINK_TOKEN_PATH.sub(r"/\1/…", text)


_installed = False


def install_log_masking() -> None:
    """Mask addresses as each log record is made, so every handler sees the masked text.

    A record factory rather than a handler filter: it also covers handlers added later
    (gunicorn's, pytest's) and records from any library.
    """
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format is logging's own problem
            return record
        masked = mask_emails(message) if "@" in message else message
        if "/" in masked:
            masked = mask_link_tokens(masked)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def refuse_invalid_utf8_forms() -> None:
    """A form body whose percent-escapes are not UTF-8 is malformed: 400, never stored.

    Werkzeug keeps undecodable escapes as literal text ("%FF"), which would otherwise pass
    as an odd but valid name. The body is cached, so form parsing reads it again.
    """
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        raw = request.get_data(cache=True)
        try:
            unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            abort(400)


def _malformed(raw: bytes) -> bool:
    """Not UTF-8, or a NUL byte: no name, slug, id or search term contains one, and
    databases refuse NUL in text (PostgreSQL raises, which would be a 500)."""
    try:
        return "\x00" in raw.decode("utf-8")
    except UnicodeDecodeError:
        return True


def _plain(text: str) -> bool:
    """ASCII without escapes or NUL: nothing in it can decode badly (almost every URL)."""
    return text.isascii() and "%" not in text and "\x00" not in text


def refuse_malformed_urls(*_ignored: object) -> None:
    """A path (404) or query string (400) with a NUL byte or non-UTF-8 bytes is refused
    before any view, for every URL of the site. (Form fields with a NUL get the form's own
    translated error, 422; the console gate refuses them outright.)"""
    # The path as the client sent it (gunicorn's RAW_URI, Werkzeug's REQUEST_URI); else the
    # decoded PATH_INFO, whose latin-1 text holds the client's bytes.
    environ = request.environ
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    query = environ.get("QUERY_STRING", "")
    if raw_uri:
        raw_path = raw_uri.split("?", 1)[0]
        if not _plain(raw_path) and _malformed(unquote_to_bytes(raw_path)):
            abort(404)  # no page of the site has such an address
    elif _malformed(environ.get("PATH_INFO", "").encode("latin-1", "replace")):
        abort(404)
    if query and not _plain(query) \
            and _malformed(unquote_to_bytes(request.query_string)):
        abort(400)


def form_has_nul() -> bool:
    return request.method == "POST" and request.mimetype == \
        "application/x-www-form-urlencoded" and b"\x00" in unquote_to_bytes(
            request.get_data(cache=True))


def init_app(app: Flask) -> None:
    install_log_masking()
    # First of all hooks: CSRF protection parses the form, after which the raw body is gone.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_invalid_utf8_forms)
    # URL value preprocessors run before any before_request hook (the widget's loads the
    # campaign by slug), for every request, routed or not: the URL check runs there, once.
    app.url_value_preprocessors.setdefault(None, []).insert(0, refuse_malformed_urls)
    app.after_request(set_security_headers)
