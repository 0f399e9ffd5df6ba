"""A few-second cache of the rendered campaign page, per (language, slug), in each process
(and per registered variant: a partner's link, see register_page_variant).

Under a viral surge nearly every request is the same page; rendering it (Jinja, the sections,
the count and recent signers from the database) costs far more than serving it. The cached
copy is a *shell*: every form's CSRF token in it is a placeholder, swapped on each response
for the reader's own token, so no reader ever gets another's token or session. The count on
the page is therefore at most CAMPAIGN_PAGE_CACHE_SECONDS old.

Browsers revalidate with an ETag built from the shell and the reader's session token: a reader
whose session still holds the token that is in their copy gets a 304 without any rendering.

A stale shell is re-rendered by one request of the process while the others go on serving
the stale copy (for at most the time that one render takes), so a slow render never queues
every reader behind it.

Compression (`gzip_body`): the shell's shared text is compressed once per shell, as raw
deflate segments cut at the per-reader values; each reader's values go between them as
stored (uncompressed) deflate blocks. The result is one ordinary gzip member (RFC 1951/1952:
every segment ends byte-aligned and non-final), so a new reader's page costs a CRC and a
join instead of compressing 40 KB again. Brotli streams cannot be spliced like this, so a
client that accepts gzip gets gzip for this page; one that accepts only brotli gets the
ordinary path (Flask-Compress).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

# Unique per process; HTML-safe, so escaping in templates leaves it intact.
PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"
_FIELD = "csrf_token"


@dataclass(frozen=True)
class Shell:
    body: str
    status: int
    etag: str            # of the shell; the response's ETag adds the reader's session token
    expires: float       # time.monotonic() after which it is rendered again
    # Built on first use: (static text's raw-deflate segment, the text's UTF-8) or a
    # placeholder (str) where a reader's own value goes.
    segments: list[tuple[bytes, bytes] | str] | None = field(
        default=None, compare=False, repr=False)


_lock = threading.Lock()
# Keys whose stale shell one request is rendering again (the others serve the stale copy).
_refreshing: set[tuple[str, ...]] = set()


def _store() -> dict[tuple[str, ...], Shell]:
    # Per application (tests build many apps over one process), shared by its threads.
    store: dict[tuple[str, ...], Shell] = current_app.extensions.setdefault(
        "campaign_page_cache", {})
    return store


def clear() -> None:
    with _lock:
        _store().clear()


def get_shell(key: tuple[str, ...], render: Callable[[], tuple[str, int]]) -> Shell:
    """The cached shell for `key`, rendered by `render()` -> (html, status) when stale.

    `render` runs with a placeholder CSRF token, so nothing of this reader's session goes
    into the shell (and the session is not created just to render it).
    """
    ttl = current_app.config["CAMPAIGN_PAGE_CACHE_SECONDS"]
    now = time.monotonic()
    cache = _store()
    shell = cache.get(key)
    if shell is not None:
        if shell.expires > now:
            return shell
        with _lock:  # one refresher per key and process; the others serve the stale copy
            if key in _refreshing:
                return shell
            _refreshing.add(key)
    try:
        return _render(cache, key, render, ttl, now)
    finally:
        if shell is not None:
            with _lock:
                _refreshing.discard(key)


def _render(cache: dict[tuple[str, ...], Shell], key: tuple[str, ...],
            render: Callable[[], tuple[str, int]], ttl: float, now: float) -> Shell:
    had_token = _FIELD in g
    saved = g.get(_FIELD)
    setattr(g, _FIELD, PLACEHOLDER)
    g.rendering_page_shell = True  # bot-trap start tokens become a placeholder too
    try:
        body, status = render()
    finally:
        g.pop("rendering_page_shell", None)
        if had_token:
            setattr(g, _FIELD, saved)
        else:
            g.pop(_FIELD, None)
    etag = hashlib.blake2b(body.encode(), digest_size=12).hexdigest()
    shell = Shell(body, status, etag, now + ttl)
    if ttl > 0 and status == 200:
        with _lock:
            if len(cache) > 4096:  # many slugs x languages: bounded, drop everything
                cache.clear()
            cache[key] = shell
    return shell


def reader_etag(shell: Shell) -> str | None:
    """The ETag for this reader's copy, or None when the reader has no CSRF session yet."""
    raw = session.get(_FIELD)
    if not raw:
        return None
    # A form posted since changes the tag: the reader's copy holds a used start token.
    reader = hashlib.blake2b(f"{raw}:{session.get('forms_used', 0)}".encode(),
                             digest_size=6).hexdigest()
    return f"{shell.etag}-{reader}"


def register_page_variant(app: Flask, variant: Callable[[str, Any], str | None]) -> None:
    """A feature's variant of the campaign page, from the slug and the query string (e.g.
    petitions: a visit through a partner's link shows that partner's opt-in box). The
    variant names a separate cached shell, so it must come from a small set, never from
    whatever a visitor types; None: the shared page. Called from a feature's init_app."""
    app.extensions.setdefault("page_cache_variants", []).append(variant)


def variant_of(slug: str, args: Any) -> str | None:
    """The first registered variant that applies to this visit, or None."""
    for variant in current_app.extensions.get("page_cache_variants", ()):
        found: str | None = variant(slug, args)
        if found:
            return found
    return None


def register_reader_value(app: Flask, placeholder: str, make: Callable[[], str]) -> None:
    """Another per-reader value a cached shell may hold (the bot trap's start token, so each
    reader gets one no older than their visit); called from a feature's init_app."""
    app.extensions.setdefault("page_cache_reader_values", []).append((placeholder, make))


def fill(shell: Shell) -> str:
    """The shell with this reader's CSRF token (created in their session if needed) and the
    registered per-reader values."""
    body = shell.body
    for placeholder, make in current_app.extensions.get("page_cache_reader_values", ()):
        if placeholder in body:
            body = body.replace(placeholder, make())
    if PLACEHOLDER not in body:
        return body
    return body.replace(PLACEHOLDER, generate_csrf())


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name/time, OS unknown
_FINAL_BLOCK = b"\x03\x00"  # an empty final block (fixed Huffman): ends the deflate stream


def _segments(shell: Shell, placeholders: list[str]) -> list[tuple[bytes, bytes] | str]:
    if shell.segments is not None:
        return shell.segments
    pattern = "(" + "|".join(re.escape(p) for p in placeholders) + ")"
    segments: list[tuple[bytes, bytes] | str] = []
    for i, part in enumerate(re.split(pattern, shell.body)):
        if i % 2:
            segments.append(part)
        elif part:
            raw = part.encode()
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            segments.append((compressor.compress(raw) + compressor.flush(zlib.Z_FULL_FLUSH),
                             raw))
    object.__setattr__(shell, "segments", segments)  # frozen: built once, same for all
    return segments


def accepts_gzip() -> bool:
    """Whether this request's client takes gzip (q > 0, or `*`), as werkzeug reads
    Accept-Encoding; the condition for answering with `gzip_body`."""
    return request.accept_encodings.best_match(("gzip",)) == "gzip"


def gzip_body(shell: Shell) -> bytes:
    """What `fill(shell)` returns, gzip-compressed, for this reader (see the module doc)."""
    makers: dict[str, Callable[[], str]] = dict(
        current_app.extensions.get("page_cache_reader_values", ()))
    makers[PLACEHOLDER] = generate_csrf
    out = [_GZIP_HEADER]
    crc = size = 0
    values: dict[str, bytes] = {}
    for segment in _segments(shell, list(makers)):
        if isinstance(segment, str):
            raw = values.get(segment)
            if raw is None:  # one value per reader, however often the page holds it
                raw = values[segment] = makers[segment]().encode()
            for start in range(0, len(raw), 0xFFFF):  # stored blocks: at most 65,535 bytes
                chunk = raw[start:start + 0xFFFF]
                out.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF))
                out.append(chunk)
            crc = zlib.crc32(raw, crc)
            size += len(raw)
        else:
            deflated, raw = segment
            out.append(deflated)
            crc = zlib.crc32(raw, crc)  # zlib has no crc32_combine in Python: ~10 µs
            size += len(raw)
    out.append(_FINAL_BLOCK)
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)
