#!/usr/bin/env python3
"""This branch's per-request changes A/B, interleaved in one process (issue 18): the same app,
database and requests, each batch run once with the changes switched off (A: as before) and
once on (B), alternating, so both sides share whatever the machine is doing. CPU time per
request (`process_time`) through the WSGI call, as bench/hooks.py.

    .venv/bin/python bench/hooks_ab.py [--database-url postgresql://...] [--rounds 10]
                                       [--batch 40]

Switched off for A: the session cookie opened on first use (Flask's request context opens it
at the start of every request), Flask-Compress asked about a client that accepts no encoding,
the link token serializer built per read, and the confirmed page compressed per click by
Flask-Compress for a browser (instead of page_cache's spliced gzip).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench.hooks import SLUG, call, demo_app  # noqa: E402

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@contextmanager
def before() -> Iterator[None]:
    """The changes switched off for the duration."""
    from flask import Flask
    from flask_compress import Compress as FlaskCompress
    from itsdangerous import URLSafeTimedSerializer

    from campaign import CampaignFlask, tokens
    from campaign.extensions import Compress
    from campaign.petitions import views

    def compress_before(self: Any, response: Any) -> Any:
        from flask import current_app
        if response is not None and not response.is_streamed and (
                not 200 <= response.status_code < 300
                or (response.content_length or 0) < current_app.config["COMPRESS_MIN_SIZE"]
                or "Content-Encoding" in response.headers):
            return response
        return FlaskCompress.after_request(self, response)

    def serializer_before(purpose: str) -> URLSafeTimedSerializer:
        from flask import current_app
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"link:{purpose}")

    # (The confirm view answers gzip when page_cache.accepts_gzip(): before, it never did.)
    confirm_gzip = views.page_cache.accepts_gzip
    saved = (CampaignFlask.request_context, Compress.after_request, tokens._serializer)
    CampaignFlask.request_context = Flask.request_context  # type: ignore[method-assign]
    Compress.after_request = compress_before  # type: ignore[method-assign]
    tokens._serializer = serializer_before
    views.page_cache.accepts_gzip = lambda: False  # type: ignore[assignment]
    try:
        yield
    finally:
        (CampaignFlask.request_context, Compress.after_request,
         tokens._serializer) = saved  # type: ignore[method-assign]
        views.page_cache.accepts_gzip = confirm_gzip  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=40)
    args = parser.parse_args()
    app, hello = demo_app(args.database_url, "hooks-ab-")
    page = f"/en/c/{SLUG}"
    headers = dict(call(app, page, BROWSER)[1])
    cookie = {"Cookie": headers["Set-Cookie"].split(";", 1)[0]}
    html = call(app, page, cookie)[2].decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    started = re.search(r'name="form_started"[^>]*value="([^"]+)"', html)
    assert token, "no CSRF token"
    assert started, "no form start token"
    tag = secrets.token_hex(3)
    counter = iter(range(10**9))

    def signed() -> str:
        """A new pending signature's confirmation link (made outside the timing)."""
        i = next(counter)
        status = call(app, f"/en/c/{SLUG}/sign", cookie, urlencode({
            "csrf_token": token.group(1), "full_name": f"Signer {i}",
            "email": f"ab-{tag}-{i}@example.org", "country": "KZ", "display": "full",
            "form_started": started.group(1)}).encode())[0]
        assert status.startswith("303"), status
        with app.app_context():
            from sqlalchemy import select

            from campaign.extensions import db
            from campaign.petitions.models import Signature
            from campaign.petitions.service import signature_token
            link = "/confirm/" + signature_token("confirm", db.session.scalars(
                select(Signature).where(Signature.email == f"ab-{tag}-{i}@example.org")).one())
            db.session.remove()
        return link

    def sign_request() -> tuple[str, dict[str, str], bytes]:
        i = next(counter)
        return (f"/en/c/{SLUG}/sign", cookie, urlencode({
            "csrf_token": token.group(1), "full_name": f"Signer {i}",
            "email": f"ab-{tag}-{i}@example.org", "country": "KZ", "display": "full",
            "form_started": started.group(1)}).encode())

    workloads: dict[str, Callable[[], tuple[str, dict[str, str], bytes]]] = {
        "bare Flask hello": lambda: ("/", {}, b""),
        "GET /healthz": lambda: ("/healthz", {}, b""),
        "GET /healthz, browser with a session": lambda: ("/healthz", {**BROWSER, **cookie},
                                                         b""),
        "GET thanks, signer's browser": lambda: (f"/en/c/{SLUG}/thanks", {**BROWSER, **cookie},
                                                 b""),
        "POST sign (303)": sign_request,
        "GET confirm, no cookie (wrk)": lambda: (signed(), {}, b""),
        "GET confirm, signer's browser": lambda: (signed(), {**BROWSER, **cookie}, b""),
    }
    totals: dict[tuple[str, str], float] = defaultdict(float)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for _round in range(args.rounds):
        for name, make in workloads.items():
            target = hello if name.startswith("bare") else app
            for side in ("A", "B") if _round % 2 == 0 else ("B", "A"):
                batch = [make() for _ in range(args.batch)]
                for path, hdrs, body in batch[:2]:  # warm: the page cache, the pool
                    call(target, path, hdrs, body)
                batch = batch[2:]
                context = before() if side == "A" else _nothing()
                with context:
                    started_at = time.process_time()
                    for path, hdrs, body in batch:
                        call(target, path, hdrs, body)
                    totals[name, side] += time.process_time() - started_at
                counts[name, side] += len(batch)
    print(f"{'CPU per request (µs)':<40} {'A before':>9} {'B after':>9} {'B/A':>6}")
    for name in workloads:
        a = totals[name, "A"] * 1e6 / counts[name, "A"]
        b = totals[name, "B"] * 1e6 / counts[name, "B"]
        print(f"{name:<40} {a:9.0f} {b:9.0f} {b / a:6.2f}")


@contextmanager
def _nothing() -> Iterator[None]:
    yield


if __name__ == "__main__":
    main()
