#!/usr/bin/env python3
"""CPU per request of the sign and confirm paths, in process (Flask test client): less
disturbed by a loaded machine than a rate, and what a change to those paths is judged by.

    .venv/bin/python bench/inproc.py [--database-url postgresql://...] [-n 300] [--profile]

Makes a fresh database (SQLite in a temporary folder, or the given PostgreSQL database,
whose `public` schema it drops), loads the demo campaign, and times with `process_time`:
GET /healthz, an accepted sign (new address each time), sign + thanks, the first click on a
confirmation link, and the worker's delivery of the queued e-mails (memory transport).
Settings as bench/app.py (rate limits and the fill time off); CSRF real.
"""
from __future__ import annotations

import sys
from pathlib import Path

# bench/profile.py would shadow the standard library's `profile` that cProfile imports.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

SLUG = "korday-sentences-review"
PROFILE_SORT = os.environ.get("INPROC_SORT", "cumulative")


def _app(url: str, instance: Path) -> Flask:
    from campaign import create_app
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "inproc-" + secrets.token_hex(8),
        "RATELIMIT_ENABLED": False, "ABUSE_MIN_FILL_SECONDS": 0, "OUTBOX_INLINE": False,
        "MAIL_TRANSPORT": "memory", "SITE_URL": "http://campaign.test",
    }, instance_path=str(instance))


def _timed(label: str, n: int, call: Callable[[int], None], profile: bool) -> float:
    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    for i in range(n):
        call(i)
    if profiler:
        profiler.disable()
    ms = (time.process_time() - started) * 1000 / n
    print(f"{label:<28} {ms:7.2f} ms CPU/request")
    if profiler:
        pstats.Stats(profiler).sort_stats(PROFILE_SORT).print_stats(45)
        if os.environ.get("INPROC_DUMP"):  # for pstats' callers/callees views
            profiler.dump_stats(os.environ["INPROC_DUMP"])
    return ms


def fresh_database(database_url: str | None, instance: Path) -> str:
    """An empty database to bench on: a new SQLite file in `instance`, or the given
    PostgreSQL database with its public schema dropped and made again."""
    url = database_url or f"sqlite:///{instance / 'site.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--profile", choices=["sign", "confirm", "deliver"])
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="inproc-"))
    url = fresh_database(args.database_url, instance)
    app = _app(url, instance)
    with app.app_context():
        from flask_migrate import upgrade

        from campaign.demo import load_demo
        upgrade()
        load_demo()
    n = args.n
    client: FlaskClient = app.test_client()
    page = client.get(f"/en/c/{SLUG}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    started = re.search(r'name="form_started"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token"
    assert started, "no form start token"
    tag = secrets.token_hex(3)

    def form(i: int) -> dict[str, str]:
        return {"csrf_token": token.group(1), "full_name": f"Signer {i}",
                "email": f"inproc-{tag}-{i}@example.org", "country": "KZ",
                "display": "full", "form_started": started.group(1)}

    def healthz(i: int) -> None:
        assert client.get("/healthz").status_code == 200

    def sign(i: int) -> None:
        response = client.post(f"/en/c/{SLUG}/sign", data=form(i))
        assert response.status_code == 303, response.status_code

    def sign_thanks(i: int) -> None:
        response = client.post(f"/en/c/{SLUG}/sign", data=form(n + i))
        assert response.status_code == 303
        assert client.get(response.headers["Location"]).status_code == 200

    _timed("GET /healthz", n, healthz, False)
    _timed("POST sign (accepted)", n, sign, args.profile == "sign")
    _timed("POST sign + GET thanks", n, sign_thanks, False)

    with app.app_context():
        from sqlalchemy import select

        from campaign.extensions import db
        from campaign.outbox import service as outbox
        from campaign.outbox.transports import MemoryTransport
        from campaign.petitions.models import Signature
        from campaign.petitions.service import signature_token
        signatures = list(db.session.scalars(
            select(Signature).where(Signature.email.like(f"inproc-{tag}-%"))
            .order_by(Signature.id)))
        links = [f"/confirm/{signature_token('confirm', s)}" for s in signatures[:n]]
        queued = outbox.count_by_status("queued")
        db.session.remove()
        MemoryTransport.sent.clear()
        started = time.process_time()
        profiler = cProfile.Profile() if args.profile == "deliver" else None
        if profiler:
            profiler.enable()
        outbox.work(once=True)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats(PROFILE_SORT).print_stats(45)
        delivered = len(MemoryTransport.sent)
        ms = (time.process_time() - started) * 1000 / max(delivered, 1)
        print(f"{'worker delivery':<28} {ms:7.2f} ms CPU/message ({delivered} of {queued})")

    def confirm(i: int) -> None:
        assert client.get(links[i]).status_code == 200

    _timed("GET confirm (first click)", len(links), confirm, args.profile == "confirm")


if __name__ == "__main__":
    main()
