#!/usr/bin/env python3
"""A/B of the sign path in one process: the path before branch h-sign (an ORM campaign read
on every sign, the signature INSERT ... VALUES) against today's (the process's campaign
snapshot, the INSERT ... SELECT that checks the campaign takes signatures), interleaved in
batches so both see the same machine load; optionally at N existing signatures, and the
SQLite page cache / mmap settings before and after (`--pragmas`).

    .venv/bin/python bench/ab_sign.py [--seed 1000000] [--batches 10] [--batch 60] [--pragmas]

CPU per request with `process_time`, as bench/inproc.py (same settings; CSRF real).
"""
from __future__ import annotations

import sys
from pathlib import Path

# bench/profile.py would shadow the standard library's `profile` that cProfile imports.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any, cast  # noqa: E402

from flask import abort, current_app, redirect, request, url_for  # noqa: E402
from flask.typing import ResponseReturnValue  # noqa: E402
from sqlalchemy import Table, bindparam, event, insert  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

SLUG = "korday-sentences-review"
# The SQLite settings of each arm of --pragmas, (cache KiB, mmap bytes): SQLite's defaults
# (what campaign._sqlite_pragmas leaves) and a candidate, 32 MiB cache and 1 GiB mmap, that
# showed no gain here (bench/RESULTS.md, h-sign) and so was not adopted.
PRAGMAS = {"before": (2000, 0), "now": (32 * 1024, 1 << 30)}
_mode = {"pragmas": "now"}


def _old_sign_view(slug: str) -> ResponseReturnValue:
    """petitions.views.sign and service.sign as they were before h-sign (valid posts)."""
    from campaign import i18n
    from campaign.abuse.bots import is_bot_post
    from campaign.abuse.limits import check_rate, peek_rate
    from campaign.addresses import normalize_email
    from campaign.emails import mail_kind
    from campaign.extensions import csrf, db
    from campaign.outbox import service as outbox
    from campaign.petitions import lifecycle, service, sources
    from campaign.petitions.forms import SignForm, checked_sign_values
    from campaign.petitions.models import Signature

    peek_rate("sign", ip=request.remote_addr)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    campaign, has_fields = service.campaign_to_sign(slug)
    if campaign is None or has_fields:
        abort(404)
    data = checked_sign_values(SignForm, request.form) if campaign.is_open else None
    assert data is not None, "the A/B posts valid forms to an open campaign"
    ref = (sources.clean_ref(data["ref"])
           or sources.ref_from_referrer(request.referrer, request.host))
    partner = sources.partner_for_ref(campaign.id, ref)
    if is_bot_post(data["website"], data["form_started"]):
        return redirect(url_for("petitions.thanks", slug=slug), code=303)
    signer = service.SignatureInput(
        full_name=data["full_name"], email=data["email"], country=data["country"],
        comment=data["comment"], display=data["display"], updates=data["updates"],
        locale=i18n.current_language(), ip=request.remote_addr, custom={}, ref=ref,
        partner_id=partner.id if partner is not None else None, partner_opt_in=False)
    if not campaign.is_open:
        raise service.CampaignNotOpen(campaign.slug)
    email, email_key = normalize_email(signer.email)
    check_rate("sign", ip=signer.ip, email_key=email_key)
    now = service.utcnow()
    values = service._signature_values(signer, email, email_key, now)
    values["last_emailed_at"] = now
    kind = "signature_confirm"
    params = {**{lifecycle.PENDING_PARAM_PREFIX + k: v for k, v in values.items()},
              lifecycle.PENDING_PARAM_PREFIX + "campaign_id": campaign.id,
              **outbox.deferred_params(kind=kind, to=email, lang=signer.locale,
                                       priority=mail_kind(kind).priority,
                                       campaign_id=campaign.id)}
    connection = db.session.connection()
    table = cast(Table, Signature.__table__)
    statement = _OLD_INSERTS.get(tuple(values))
    if statement is None:
        columns = {name: bindparam(lifecycle.PENDING_PARAM_PREFIX + name,
                                   type_=table.c[name].type)
                   for name in ("campaign_id", *values)}
        columns["status"] = "pending"
        statement = _OLD_INSERTS[tuple(values)] = (
            insert(table).values(columns).returning(table.c.id))
    signature_id = connection.execute(statement, params).scalar_one()
    params[outbox.DEFERRED_PARAM_PREFIX + "render_ref"] = signature_id
    connection.execute(outbox.deferred_insert(), params)
    outbox.note_queued()
    db.session.commit()
    return redirect(url_for("petitions.thanks", slug=slug), code=303)


_OLD_INSERTS: dict[tuple[str, ...], Any] = {}


@event.listens_for(Engine, "checkout")
def _pragmas_on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """--pragmas: put the connection on the settings of the arm being timed."""
    wanted = PRAGMAS[_mode["pragmas"]]
    if record.info.get("ab_pragmas") == _mode["pragmas"] or not hasattr(
            dbapi_connection, "set_trace_callback"):
        return
    dbapi_connection.execute(f"PRAGMA cache_size=-{wanted[0]}")
    dbapi_connection.execute(f"PRAGMA mmap_size={wanted[1]}")
    record.info["ab_pragmas"] = _mode["pragmas"]


def main() -> None:  # noqa: C901 - a script's steps, in order
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0, help="existing signatures first")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch", type=int, default=60)
    parser.add_argument("--reuse", help="an instance folder of an earlier run (its site.db, "
                        "seeded then): no new database, no seeding")
    parser.add_argument("--pragmas", action="store_true",
                        help="A/B the SQLite settings (new code both arms) instead of code")
    args = parser.parse_args()

    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "inproc", Path(__file__).resolve().parent / "inproc.py")
    assert spec
    assert spec.loader
    inproc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(inproc)
    instance = Path(args.reuse or tempfile.mkdtemp(prefix="ab-sign-"))
    url = (f"sqlite:///{instance / 'site.db'}" if args.reuse
           else inproc.fresh_database(None, instance))
    app = inproc._app(url, instance)
    print(f"database: {url}")
    with app.app_context():
        from flask_migrate import upgrade

        from campaign.demo import load_demo
        from campaign.extensions import db
        from campaign.petitions.bulk import seed_signatures
        from campaign.petitions.service import campaign_to_sign
        if not args.reuse:
            upgrade()
            load_demo()
        if args.seed and not args.reuse:
            started = time.perf_counter()
            campaign, _ = campaign_to_sign(SLUG)
            assert campaign is not None
            seed_signatures(campaign.id, args.seed)
            db.session.remove()
            print(f"seeded {args.seed} signatures in {time.perf_counter() - started:.0f} s")
    app.view_functions["ab_old_sign"] = _old_sign_view
    app.add_url_rule("/<lang:lang>/c/<slug>/sign-old", "ab_old_sign", _old_sign_view,
                     methods=["POST"])
    from campaign.extensions import csrf
    csrf.exempt(_old_sign_view)
    client = app.test_client()
    page = client.get(f"/en/c/{SLUG}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form_started = re.search(r'name="form_started"[^>]*value="([^"]+)"', page)
    assert token
    assert form_started
    tag = secrets.token_hex(3)
    counter = iter(range(10**9))

    def post(path: str) -> None:
        i = next(counter)
        response = client.post(f"/en/c/{SLUG}/{path}", data={
            "csrf_token": token.group(1), "full_name": f"Signer {i}",
            "email": f"ab-{tag}-{i}@example.org", "country": "KZ", "display": "full",
            "form_started": form_started.group(1)})
        assert response.status_code == 303, response.status_code

    def healthz() -> None:
        assert client.get("/healthz").status_code == 200

    arms: dict[str, Callable[[], None]]
    if args.pragmas:
        def with_pragmas(mode: str) -> Callable[[], None]:
            def run() -> None:
                _mode["pragmas"] = mode
                post("sign")
            return run
        arms = {"sqlite defaults": with_pragmas("before"),
                "cache+mmap": with_pragmas("now")}
    else:
        arms = {"old sign": lambda: post("sign-old"), "new sign": lambda: post("sign")}
    arms["/healthz"] = healthz
    for call in arms.values():  # warm up: statement caches, snapshot, first connection
        for _ in range(10):
            call()
    times: dict[str, list[float]] = {name: [] for name in arms}
    walls: dict[str, list[float]] = {name: [] for name in arms}
    for _ in range(args.batches):
        for name, call in arms.items():
            started, wall = time.process_time(), time.perf_counter()
            for _ in range(args.batch):
                call()
            times[name].append((time.process_time() - started) * 1000 / args.batch)
            walls[name].append((time.perf_counter() - wall) * 1000 / args.batch)
    for name, values in times.items():
        print(f"{name:<18} median {statistics.median(values):6.2f} ms CPU/request, "
              f"{statistics.median(walls[name]):6.2f} ms wall "
              f"(CPU of batches: {' '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
