"""Who may put our pages in a frame: nobody, unless a view says otherwise.

Every response gets `X-Frame-Options: DENY` and `frame-ancestors 'none'` in its CSP. A view
that must be framed (the petition widget) calls `allow_framing([...origins])` or
`allow_framing(["*"])`; then X-Frame-Options is dropped (it cannot list origins) and the
CSP's frame-ancestors directive names those origins. Any other CSP directives set by another
after_request hook (site-wide security headers) are kept; only frame-ancestors is replaced.

`init_app` must be called before other hooks that set headers are registered: Flask runs
app-wide after_request functions in reverse order of registration, so this one runs last.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import idna
from flask import Flask, Response, request

CSP = "Content-Security-Policy"
# Kept in the WSGI environ, not `g`: an app context (and its `g`) may outlive one request.
_KEY = "campaign.frame_ancestors"


class BadOrigin(ValueError):
    """Not an origin a browser would send (scheme://host[:port], http or https)."""


def normalize_origin(raw: str) -> str:
    """`https://Partner.org/path` -> `https://partner.org`; raises BadOrigin."""
    parts = urlsplit(raw.strip())
    try:
        port = parts.port
    except ValueError as exc:
        raise BadOrigin(raw) from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise BadOrigin(raw)
    if any(c in host for c in "*;'\" ,"):
        raise BadOrigin(raw)
    host = _ascii_host(host, raw)
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _ascii_host(host: str, raw: str) -> str:
    """The host as browsers send it in Origin and match it in frame-ancestors: IDNA-encoded
    (`пример.рф` -> `xn--e1afmkfd.xn--p1ai`), so a stored origin always matches."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise BadOrigin(raw) from exc


def allow_framing(ancestors: list[str]) -> None:
    """Let this response be framed by these origins (CSP source expressions)."""
    request.environ[_KEY] = list(ancestors) or ["'none'"]


@lru_cache(maxsize=256)  # a pure function of a few strings that repeat on every response
def _with_directive(csp: str | None, name: str, value: str) -> str:
    directives = [d.strip() for d in (csp or "").split(";") if d.strip()]
    kept = [d for d in directives if d.split()[0].lower() != name]
    return "; ".join(kept + [f"{name} {value}"])


# Set by the security-headers hook when it already gave the response the refusal below (the
# common case: no view allowed framing, no view set its own CSP or X-Frame-Options).
APPLIED = "campaign.frame_refusal_applied"


def refused_csp(csp: str) -> str:
    """`csp` with the refusal's frame-ancestors directive, as this hook would make it."""
    return _with_directive(csp, "frame-ancestors", "'none'")


def framing_refused() -> bool:
    return request.environ.get(_KEY) is None


def apply_frame_policy(response: Response) -> Response:
    environ = request.environ
    ancestors = environ.get(_KEY)
    if ancestors is None and environ.pop(APPLIED, False):
        return response  # the refusal is in place (security.set_security_headers)
    headers = response.headers
    if ancestors is None:
        headers["X-Frame-Options"] = "DENY"
        headers[CSP] = _with_directive(headers.get(CSP), "frame-ancestors", "'none'")
    else:
        response.headers.pop("X-Frame-Options", None)
        response.headers[CSP] = _with_directive(response.headers.get(CSP), "frame-ancestors",
                                                " ".join(ancestors))
    return response


def init_app(app: Flask) -> None:
    app.after_request(apply_frame_policy)
