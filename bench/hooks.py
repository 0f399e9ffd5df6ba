#!/usr/bin/env python3
"""CPU per request of the app's per-request machinery, in process, through the WSGI call as
gunicorn makes it (no test client): the bare Flask "hello" (bench/hello.py), GET /healthz, and
the campaign page for a new visitor (no cookie, `Accept-Encoding: gzip, br`) and for a
returning one (session cookie). The gap between hello and /healthz is what every request of
the site pays for its hooks; see bench/RESULTS.md.

    .venv/bin/python bench/hooks.py [--database-url postgresql://...] [-n 2000]
                                    [--profile healthz|page|returning|sign|confirm]
                                    [--encoding "gzip, br"]
"""
from __future__ import annotations

import sys
from pathlib import Path

# bench/profile.py would shadow the standard library's `profile` that cProfile imports.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench.inproc import fresh_database  # noqa: E402

SLUG = "korday-sentences-review"
SORT = os.environ.get("HOOKS_SORT", "tottime")


def environ(path: str, headers: dict[str, str], body: bytes = b"") -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST" if body else "GET", "SCRIPT_NAME": "", "PATH_INFO": path,
        "QUERY_STRING": "", "RAW_URI": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000",
        "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0)}
    if body:
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        env["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app: Callable[..., Iterable[bytes]], path: str, headers: dict[str, str],
         body: bytes = b"") -> tuple[str, list[tuple[str, str]], bytes]:
    seen: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]],
                       exc_info: Any = None) -> None:
        seen[:] = [status, response_headers]

    chunks = app(environ(path, headers, body), start_response)
    body = b"".join(chunks)
    close = getattr(chunks, "close", None)
    if close:
        close()
    return seen[0], seen[1], body


def timed(label: str, n: int, app: Callable[..., Iterable[bytes]], path: str,
          headers: dict[str, str], profile: bool) -> float:
    assert call(app, path, headers)[0].startswith("200")
    for _ in range(20):
        call(app, path, headers)
    return timed_calls(label, [(path, headers, b"")] * n, app, profile, "200")


def timed_calls(label: str, requests: list[tuple[str, dict[str, str], bytes]],
                app: Callable[..., Iterable[bytes]], profile: bool, expect: str) -> float:
    """CPU per request of each (path, headers, body) once, in order; each answer `expect`."""
    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    for path, headers, form in requests:
        status, response_headers, body = call(app, path, headers, form)
        assert status.startswith(expect), status
    if profiler:
        profiler.disable()
    us = (time.process_time() - started) * 1e6 / len(requests)
    encoding = dict(response_headers).get("Content-Encoding", "-")
    print(f"{label:<34} {us:8.0f} µs CPU/request  ({len(body):,} bytes, {encoding})")
    if profiler:
        pstats.Stats(profiler).sort_stats(SORT).print_stats(40)
        if os.environ.get("HOOKS_DUMP"):  # for pstats' callers/callees views
            profiler.dump_stats(os.environ["HOOKS_DUMP"])
    return us


def demo_app(database_url: str | None, prefix: str):
    """The site on a fresh database with the demo campaign, configured as bench/app.py
    serves it (rate limits and the fill time off), LOG_LEVEL and the outbox (the worker
    delivers, not the request) as bench/run.py; and the bare Flask hello beside it."""
    instance = Path(tempfile.mkdtemp(prefix=prefix))
    url = fresh_database(database_url, instance)
    from bench.hello import app as hello
    from campaign import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(16),
                      "RATELIMIT_ENABLED": False, "ABUSE_MIN_FILL_SECONDS": 0,
                      "OUTBOX_INLINE": False, "MAIL_TRANSPORT": "memory",
                      "LOG_LEVEL": "WARNING", "SITE_URL": "http://127.0.0.1:8000"},
                     instance_path=str(instance))
    with app.app_context():
        from flask_migrate import upgrade

        from campaign.demo import load_demo
        upgrade()
        load_demo()
    return app, hello


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--profile",
                        choices=["healthz", "page", "returning", "sign", "confirm"])
    parser.add_argument("--encoding", default="gzip, br")
    args = parser.parse_args()
    app, hello = demo_app(args.database_url, "hooks-")
    n = args.n
    page = f"/en/c/{SLUG}"
    visitor = {"Accept-Encoding": args.encoding}
    _status, headers, _ = call(app, page, visitor)
    cookie = next(v for k, v in headers if k == "Set-Cookie").split(";", 1)[0]
    base = timed("bare Flask hello", n, hello, "/", {}, False)
    health = timed("GET /healthz", n, app, "/healthz", {}, args.profile == "healthz")
    timed("GET campaign page, new visitor", n // 4, app, page, visitor,
          args.profile == "page")
    timed("GET campaign page, returning", n // 4, app, page,
          {**visitor, "Cookie": cookie}, args.profile == "returning")
    # Sign as wrk posts it (one session cookie and its CSRF token), then the first click on
    # each new signature's confirmation link without a cookie (as bench/run.py's wrk does).
    page_html = call(app, page, {"Cookie": cookie})[2].decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_html)
    started = re.search(r'name="form_started"[^>]*value="([^"]+)"', page_html)
    assert token, "no CSRF token on the page"
    assert started, "no form start token on the page"
    tag = secrets.token_hex(3)
    signs = [(f"/en/c/{SLUG}/sign", {"Cookie": cookie}, urlencode({
        "csrf_token": token.group(1), "full_name": f"Signer {i}",
        "email": f"hooks-{tag}-{i}@example.org", "country": "KZ", "display": "full",
        "form_started": started.group(1)}).encode()) for i in range(n // 4)]
    sign = timed_calls("POST sign (accepted, 303)", signs, app, args.profile == "sign", "303")
    with app.app_context():
        from sqlalchemy import select

        from campaign.extensions import db
        from campaign.petitions.models import Signature
        from campaign.petitions.service import signature_token
        links = [f"/confirm/{signature_token('confirm', s)}" for s in db.session.scalars(
            select(Signature).where(Signature.email.like(f"hooks-{tag}-%")))]
        db.session.remove()
    confirm = timed_calls("GET confirm (first click, no cookie)",
                          [(link, {}, b"") for link in links], app,
                          args.profile == "confirm", "200")
    print(f"/healthz costs {health / base:.1f}x the bare hello in process; "
          f"confirm {confirm / health:.1f}x /healthz, sign {sign / health:.1f}x")


if __name__ == "__main__":
    main()
