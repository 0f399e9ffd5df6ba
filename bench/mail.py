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

from bench.run import PY, ROOT, SLUG, Site, free_port, log  # noqa: E402

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
    cookie, token = site.session_token(f"/en/c/{SLUG}").split("|", 1)
    body = urllib.parse.urlencode({
        "csrf_token": token, "full_name": "Priority Probe", "email": SIGNER, "country": "KZ",
        "display": "full"}).encode()
    request = urllib.request.Request(site.base + f"/en/c/{SLUG}/sign", data=body,
                                     headers={"Cookie": cookie})
    sent = time.time()
    with urllib.request.urlopen(request) as response:
        assert response.status in (200, 303), response.status
    return sent, time.time() - sent


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
    worker = subprocess.Popen([PY, "-m", "flask", "outbox", "work", "--idle", "0.2"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(args.warmup)  # the worker is busy with updates when the signer signs
        before = load()
        sent, post_seconds = sign_through_the_site(site)
        deadline = time.time() + 900
        while time.time() < deadline and not list(sinks.folder.glob("*.watch")):
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
        site.stop()
    result = sinks.stop()
    arrival = result["watched"].get(SIGNER)
    updates_sent = result["count"] - (1 if arrival else 0)
    rate = updates_sent / (result["last"] - result["first"]) if result["count"] > 1 else 0
    if arrival is None:
        lines.append("| confirmation behind 100k updates | never arrived |")
        return lines
    wait = arrival - sent
    ahead = args.updates - updates_sent
    lines.append(f"| confirmation e-mail, form sent -> at the SMTP sink, {args.updates:,} "
                 f"updates queued first | {wait:.2f} s (sign POST {post_seconds * 1000:.0f} ms) "
                 f"| load {before} |")
    lines.append(f"| updates sent meanwhile by one worker | {updates_sent:,} at {rate:,.0f}/s; "
                 f"{ahead:,} still queued when stopped; by id order the confirmation would "
                 f"have waited behind all of them (~{args.updates / max(rate, 1):,.0f} s) | |")
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
    parser.add_argument("--warmup", type=float, default=3.0,
                        help="seconds the worker sends updates before the signer signs")
    parser.add_argument("--skip-priority", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    args.workers, args.threads = 2, 2  # gunicorn, for the sign request
    site = Site(args)
    site.env.update(ABUSE_MIN_FILL_SECONDS="0", RATELIMIT_ENABLED="false",
                    SITE_URL="https://bench.example", LOG_LEVEL="WARNING")
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
