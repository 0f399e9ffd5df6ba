#!/usr/bin/env python3
"""Mail benchmarks: a confirmation's wait behind a big update, and outbox workers' scaling.

    .venv/bin/python bench/mail.py --database-url postgresql://... --wipe
        [--updates 100000] [--messages 20000] [--sink-procs 2] [--markdown out.md]

1. Priority: queues UPDATES campaign-update e-mails (bulk priority), starts one outbox
   worker sending them to an SMTP sink, then signs the petition through the real site
   (gunicorn, a browser's form post) and times the confirmation e-mail from the moment the
   form is sent to its arrival at the sink.
2. Throughput: MESSAGES confirmation-sized e-mails sent by one, then two workers
   (`flask outbox work --once`); messages/s from first to last arrival, duplicates counted.

The SMTP sink runs in its own processes (bench/smtp_sink.py, SO_REUSEPORT), so it is not the
benchmark process's event loop that limits the workers. Load averages are printed beside each
figure: on a shared machine they say how far to trust it.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PY, ROOT, SLUG, Site, free_port, log

SIGNER = "priority-probe@bench.example.org"


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


class Sinks:
    """N sink processes on one port; their results merged when stopped."""

    def __init__(self, procs: int, watch: str | None = None):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="bench-sink-"))
        self.procs = []
        for number in range(procs):
            command = [PY, str(ROOT / "bench" / "smtp_sink.py"), "--port", str(self.port),
                       "--out", str(self.folder / f"{number}.json")]
            if watch:
                command += ["--watch", watch]
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            proc.stdout.readline()  # "ready"
            self.procs.append(proc)

    def stop(self) -> dict:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        results = []
        for number, proc in enumerate(self.procs):
            proc.wait(30)
            results.append(json.loads((self.folder / f"{number}.json").read_text()))
        firsts = [r["first"] for r in results if r["first"]]
        lasts = [r["last"] for r in results if r["last"]]
        ids = [i for r in results for i in r["ids"]]
        watched = {}
        for r in results:
            watched.update(r["watched"])
        return {"count": len(ids), "distinct": len(set(ids)),
                "first": min(firsts) if firsts else None, "last": max(lasts) if lasts else None,
                "watched": watched, "per_process": [r["count"] for r in results]}


def mail_env(site: Site, port: int, extra: dict | None = None) -> dict:
    return dict(site.env, MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port),
                OUTBOX_INLINE="false", **(extra or {}))


def empty_outbox(site: Site) -> None:
    from sqlalchemy import create_engine, text
    url = site.args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox_messages CASCADE"))
        conn.execute(text("TRUNCATE mail_bounces, mail_suppressions"))
    engine.dispose()


def sign_through_the_site(site: Site) -> tuple[float, float]:
    """Post the sign form as a browser does; returns (time sent, seconds the POST took)."""
    cookie, token, started = site.session_token(f"/en/c/{SLUG}").split("|", 2)
    body = urllib.parse.urlencode({
        "csrf_token": token, "form_started": started, "full_name": "Priority Probe",
        "email": SIGNER, "country": "KZ", "display": "full"}).encode()
    request = urllib.request.Request(site.base + f"/en/c/{SLUG}/sign", data=body,
                                     headers={"Cookie": cookie})
    sent = time.time()
    with urllib.request.urlopen(request) as response:
        assert response.status in (200, 303), response.status
    return sent, time.time() - sent


def _engine(site: Site):
    from sqlalchemy import create_engine
    return create_engine(site.args.database_url.replace("postgresql://",
                                                        "postgresql+psycopg://", 1))


def _sent_updates(engine) -> int:
    from sqlalchemy import text
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM outbox_messages WHERE "
                                 "kind = 'campaign_update' AND status = 'sent'")).scalar()


def priority(site: Site, args) -> list[str]:
    lines = []
    sinks = Sinks(args.sink_procs, watch=SIGNER)
    env = mail_env(site, sinks.port)
    site.env.update(env)
    empty_outbox(site)
    site.flask("bench", "seed-outbox", "--messages", str(args.updates),
               "--kind", "campaign_update", "--priority", "10")
    log(f"priority: {args.updates:,} updates queued; load {load()}")
    site.start()
    engine = _engine(site)
    worker = subprocess.Popen([PY, "-m", "flask", "outbox", "work", "--idle", "0.2"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        # Sign only once the worker is busy with updates (some batches sent already).
        deadline = time.time() + 120
        while _sent_updates(engine) < args.warmup_messages and time.time() < deadline:
            time.sleep(0.2)
        before = load()
        queued_ahead = args.updates - _sent_updates(engine)
        sent, post_seconds = sign_through_the_site(site)
        deadline = time.time() + 900
        while time.time() < deadline and not list(sinks.folder.glob("*.watch")):
            time.sleep(0.05)
        time.sleep(args.after)  # keep sending updates, to measure the worker's rate
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
        site.stop()
    result = sinks.stop()
    engine.dispose()
    arrival = result["watched"].get(SIGNER)
    if arrival is None:
        lines.append(f"| confirmation behind {args.updates:,} updates | never arrived | |")
        return lines
    updates_sent = result["count"] - 1
    rate = updates_sent / (result["last"] - result["first"])
    lines.append(f"| confirmation e-mail, sign form sent -> arrival at the SMTP sink, "
                 f"{queued_ahead:,} campaign updates still queued ahead of it | "
                 f"{arrival - sent:.2f} s (the sign POST itself: {post_seconds * 1000:.0f} ms) "
                 f"| {before} |")
    lines.append(f"| the same worker's update rate meanwhile | {updates_sent:,} updates at "
                 f"{rate:,.0f}/s; in id order (before priorities) the confirmation would have "
                 f"waited for all {queued_ahead:,}: ~{queued_ahead / max(rate, 1):,.0f} s | "
                 f"{load()} |")
    return lines


def throughput(site: Site, args) -> list[str]:
    lines = []
    single = None
    for workers in (1, 2):
        empty_outbox(site)
        site.flask("bench", "seed-outbox", "--messages", str(args.messages))
        sinks = Sinks(args.sink_procs)
        env = mail_env(site, sinks.port, {"OUTBOX_BATCH_SIZE": str(args.batch_size)})
        before = load()
        started = time.monotonic()
        procs = [subprocess.Popen([PY, "-m", "flask", "outbox", "work", "--once"], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        for proc in procs:
            proc.wait()
        wall = time.monotonic() - started
        result = sinks.stop()
        rate = (result["count"] - 1) / (result["last"] - result["first"])
        single = single or rate
        log(f"throughput: {workers} worker(s) {rate:,.0f}/s; load {before} -> {load()}")
        lines.append(
            f"| {workers} worker(s), {args.messages:,} messages, batch {args.batch_size} | "
            f"{rate:,.0f}/s = {rate / single:.2f}x one worker; {result['distinct']:,} distinct, "
            f"{result['count'] - result['distinct']} duplicate(s); {wall:.1f} s with start-up; "
            f"sink processes got {result['per_process']} | load {before} -> {load()} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL URL")
    parser.add_argument("--wipe", action="store_true", help="empty the database first")
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--sink-procs", type=int, default=2)
    parser.add_argument("--warmup-messages", type=int, default=1000,
                        help="updates the worker has sent before the signer signs")
    parser.add_argument("--after", type=float, default=10.0,
                        help="seconds the worker goes on sending updates after the "
                             "confirmation arrived (to measure its rate)")
    parser.add_argument("--skip-priority", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    args.workers, args.threads = 2, 2  # gunicorn, for the sign request
    # bench/run.py's Site serves bench/app.py (the production app with rate limits and the
    # minimum fill time off, as set below) unless told to simulate a load balancer.
    args.production, args.redis_url = False, None
    site = Site(args)
    site.env.update(ABUSE_MIN_FILL_SECONDS="0", RATELIMIT_ENABLED="false",
                    MAIL_MESSAGE_ID_DOMAIN="bench.example", LOG_LEVEL="WARNING")
    site.prepare_database()
    lines = [f"Machine: {os.cpu_count()} cores; load average at start {load()}.", "",
             "| Measure | Result | Load (1/5/15 min) |", "|---|---|---|"]
    if not args.skip_priority:
        lines += priority(site, args)
    if not args.skip_throughput:
        lines += throughput(site, args)
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
