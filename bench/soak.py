"""Soak run: minutes of mixed traffic at a steady rate against gunicorn on loopback.

    /work/main/.venv/bin/python bench/soak.py --seconds 180 --rate 40
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/soak python bench/soak.py  # PostgreSQL

Starts gunicorn (2 workers) and an outbox worker (file transport) on a fresh database, then
sends page views, signatures (with CSRF token and the form's start time, as a browser does)
and confirmations (links read from the e-mails the outbox wrote). Checks: zero 5xx, worker
RSS flat (last sample within 20% + 10 MiB of the first after warm-up), and the database's
counts equal to what clients were told. Bounded by --seconds and --max-requests.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_of_workers(master_pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) * 1024)
    return sizes


class Soak:
    def __init__(self, base: str, slug: str, mail_dir: Path):
        self.base, self.slug, self.mail_dir = base, slug, mail_dir
        self.statuses: Counter = Counter()
        self.signed: set[str] = set()      # addresses told "check your inbox"
        self.confirmed: set[str] = set()   # links answered "your signature is confirmed"
        self.used_links: set[str] = set()
        self.lock = threading.Lock()
        self.counter = 0
        self.errors: list[str] = []

    def record(self, response):
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.errors.append(f"{response.status_code} {response.url}")

    def view(self, session):
        self.record(session.get(f"{self.base}/en/c/{self.slug}", timeout=30))

    def sign(self, session):
        page = session.get(f"{self.base}/en/c/{self.slug}", timeout=30)
        self.record(page)
        hidden = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"',
                                 page.text))
        hidden.update(re.findall(
            r'<input[^>]*id="form_started" name="(form_started)" type="hidden" value="([^"]*)"',
            page.text))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        started = re.search(r'name="form_started" type="hidden" value="([^"]*)"', page.text)
        with self.lock:
            self.counter += 1
            email = f"soak{self.counter}-{random.randrange(10**9)}@example.org"
        response = session.post(f"{self.base}/en/c/{self.slug}/sign", data={
            "csrf_token": token.group(1) if token else "",
            "form_started": started.group(1) if started else "",
            "full_name": f"Soak Signer {self.counter}", "email": email, "country": "KZ",
            "display": "initial", "comment": "soak"}, allow_redirects=False, timeout=30)
        self.record(response)
        if response.status_code == 303:
            with self.lock:
                self.signed.add(email)

    def confirm(self, session):
        links = []
        for path in sorted(self.mail_dir.glob("*-signature_confirm.eml")):
            links += re.findall(r"http://127\.0\.0\.1:\d+(/confirm/[A-Za-z0-9._-]+)",
                                path.read_text(errors="replace"))
        with self.lock:
            fresh = [link for link in links if link not in self.used_links]
            if not fresh:
                return
            link = random.choice(fresh)
            self.used_links.add(link)
        response = session.get(f"{self.base}{link}", timeout=30)
        self.record(response)
        if response.status_code == 200 and "your signature is confirmed" in response.text:
            with self.lock:
                self.confirmed.add(link)

    def health(self, session):
        self.record(session.get(f"{self.base}/healthz", timeout=30))


def main():  # noqa: C901 - one straight run: set up, load, report
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--rate", type=float, default=40, help="requests per second")
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="soak-"))
    port = free_port()
    env = dict(os.environ, INSTANCE_PATH=str(instance), FLASK_APP="wsgi",
               SITE_URL=f"http://127.0.0.1:{port}", MAIL_TRANSPORT="files",
               # One loopback client and one domain: limits would measure themselves.
               RATELIMIT_SIGN_PER_NETWORK="1000000/minute",
               RATELIMIT_SIGN_PER_DOMAIN="1000000/minute", ABUSE_MIN_FILL_SECONDS="0",
               LOG_LEVEL="WARNING", SECRET_KEY=os.environ.get("SECRET_KEY", "soak-secret"))
    if env.get("DATABASE_URL", "").startswith("postgresql"):
        from sqlalchemy import create_engine, text
        url = env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    flask = [str(BIN / "flask")]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    setup = subprocess.run([sys.executable, "-c", (
        "from campaign import create_app\n"
        "from campaign.extensions import db\n"
        "from campaign.campaigns import service\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    c = service.create_campaign('soak', goal=100000, default_locale='en', status='live')\n"
        "    service.set_text(c, 'en', title='Soak', summary='s', body_markdown='b')\n"
        "    db.session.commit()\n")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if setup.returncode:
        sys.exit(setup.stderr)

    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
         "-c", "python:campaign.gunicorn_conf", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen(flask + ["outbox", "work", "--idle", "0.5"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/healthz", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)

    soak = Soak(base, "soak", instance / "mail")
    actions = [soak.view] * 55 + [soak.sign] * 25 + [soak.confirm] * 15 + [soak.health] * 5
    interval = args.threads / args.rate
    stop_at = time.monotonic() + args.seconds
    sent = Counter()
    rss_samples: list[tuple[float, int]] = []

    def client():
        session = requests.Session()
        next_at = time.monotonic()
        while time.monotonic() < stop_at and sum(sent.values()) < args.max_requests:
            action = random.choice(actions)
            try:
                action(session)
            except requests.RequestException as exc:
                soak.errors.append(f"client error: {exc}")
            sent[threading.get_ident()] += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def sampler():
        started = time.monotonic()
        while time.monotonic() < stop_at:
            rss_samples.append((round(time.monotonic() - started), sum(rss_of_workers(server.pid))))
            time.sleep(10)

    threads = [threading.Thread(target=client) for _ in range(args.threads)]
    threads.append(threading.Thread(target=sampler))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    time.sleep(2)  # let the outbox finish

    check = subprocess.run([sys.executable, "-c", (
        "import json\n"
        "from sqlalchemy import func, select\n"
        "from campaign import create_app\n"
        "from campaign.extensions import db\n"
        "from campaign.campaigns import service\n"
        "from campaign.petitions.models import Signature\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    c = service.campaign_by_slug('soak')\n"
        "    rows = dict(db.session.execute(select(Signature.status, func.count())"
        ".group_by(Signature.status)).all())\n"
        "    print(json.dumps({'counter': c.signature_count, 'rows': rows}))\n")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    for proc in (worker, server):
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    db = json.loads(check.stdout)
    warm = [rss for t, rss in rss_samples if t >= 20] or [rss for _, rss in rss_samples]
    result = {
        "seconds": round(elapsed), "requests": sum(soak.statuses.values()),
        "rate_per_second": round(sum(soak.statuses.values()) / elapsed, 1),
        "statuses": dict(sorted(soak.statuses.items())),
        "five_hundreds": sum(n for code, n in soak.statuses.items() if code >= 500),
        "signed_told": len(soak.signed), "confirmed_told": len(soak.confirmed),
        "db": db,
        "worker_rss_mib": [round(r / 2**20, 1) for _, r in rss_samples],
        "errors": soak.errors[:5],
    }
    ok = (result["five_hundreds"] == 0 and not soak.errors
          and sum(db["rows"].values()) == len(soak.signed)
          and db["rows"].get("confirmed", 0) == len(soak.confirmed) == db["counter"]
          and (len(warm) < 2 or warm[-1] <= warm[0] * 1.2 + 10 * 2**20))
    result["ok"] = ok
    print(json.dumps(result, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
