"""Scale-out on loopback: HAProxy, two gunicorn servers, PostgreSQL, Redis, two outbox
workers and a real SMTP sink (see stack.py). Bounded in time: 3.5 to 5 minutes on a loaded
2-core machine (docs/operations.md, "Figures").

Skipped locally without haproxy, redis-server or TEST_DATABASE_URL; failed under CI=true.
Figures go to test-artifacts/scaleout.json (docs/operations.md quotes a run).
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import threading
import time
from collections import Counter, deque
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from tests.conftest import RecordingHandler, csrf_from, free_port, make_app
from tests.forms_util import hidden_inputs
from tests.scaleout.stack import (
    BATCH_SIZE,
    CACHE_SECONDS,
    NETWORK_LIMIT,
    ROOT,
    Stack,
    drop_database,
    recreate_database,
    require,
    scratch_database_url,
    session_from,
    wait_until,
)

ORGANIZER = ("organizer@example.org", "correct horse battery staple")
FIGURES: dict[str, dict] = {}
LINK = re.compile(r"https?://[^\s\"<>]+/confirm/[^\s\"<>]+")
COUNT = re.compile(r'data-count="(\d+)"')


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    import os
    require(bool(shutil.which("haproxy")), "haproxy is not installed")
    require(bool(shutil.which("redis-server")), "redis-server is not installed")
    require(bool(os.environ.get("TEST_DATABASE_URL")), "TEST_DATABASE_URL is not set")
    database_url = scratch_database_url()
    recreate_database(database_url)
    tmp = tmp_path_factory.mktemp("scaleout")
    # Schema and seed, in this process: one campaign, one organizer.
    app = make_app(database_url, tmp / "seed")
    with app.app_context():
        from flask_migrate import upgrade

        from campaign.extensions import db
        from tests.factories import make_campaign, make_user
        upgrade()
        campaign = make_campaign("scaleout", goal=100000)
        make_user(role="admin", email=ORGANIZER[0], password=ORGANIZER[1])
        campaign_id = campaign.id
        db.session.remove()
        db.engine.dispose()

    handler = RecordingHandler()
    sink = Controller(handler, hostname="127.0.0.1", port=free_port())
    sink.start()
    stack = Stack(tmp, database_url, sink.port)
    stack.sink = handler
    stack.campaign_id = campaign_id
    stack.engine = create_engine(database_url)
    try:
        stack.start_redis()
        stack.start_app(1)
        stack.start_app(2)
        stack.start_worker(1)
        stack.start_worker(2)
        stack.wait_app(1)
        stack.wait_app(2)
        stack.start_haproxy()
        assert wait_until(stack.both_up_in_haproxy, 20), stack.haproxy_states()
        yield stack
    finally:
        stack.stop_all()
        sink.stop()
        stack.engine.dispose()
        drop_database(database_url)
        artifacts = ROOT / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        (artifacts / "scaleout.json").write_text(json.dumps(FIGURES, indent=2))


def sql(stack, query: str, **params):
    with stack.engine.connect() as conn:
        return conn.execute(text(query), params).all()


def db_count(stack) -> int:
    return sql(stack, "SELECT COALESCE(SUM(count), 0) FROM signature_counters "
                      "WHERE campaign_id = :c", c=stack.campaign_id)[0][0]


def sign_once(session, base: str, email: str, **headers) -> int:
    page = session.get(f"{base}/en/c/scaleout", timeout=15)
    if page.status_code != 200:
        return page.status_code
    data = {"full_name": "Load Signer", "email": email, "country": "KZ", "display": "full",
            **hidden_inputs(page.text)}
    return session.post(f"{base}/en/c/scaleout/sign", data=data, allow_redirects=False,
                        timeout=15, headers=headers).status_code


# --- shared state across servers ------------------------------------------------------------

def test_rate_limits_are_shared_between_servers(stack):
    """One network's signatures are limited the same whichever server they reach."""
    answers = []
    for n in range(NETWORK_LIMIT + 2):
        app = n % 2  # alternate the two servers, from one /24 network
        session = session_from(f"127.0.3.{n + 1}")
        answers.append(sign_once(session, f"http://127.0.0.1:{stack.app_ports[app]}",
                                 f"ratelimit{n}x@gmail.com"))
    assert answers[:NETWORK_LIMIT] == [303] * NETWORK_LIMIT
    assert answers[NETWORK_LIMIT:] == [429, 429]
    # Another network is not affected, and through the balancer the limit holds too.
    assert sign_once(session_from("127.0.4.1"), stack.base, "othernetx@gmail.com") == 303
    assert sign_once(session_from("127.0.3.200"), stack.base, "samenetx@gmail.com") == 429
    # An X-Forwarded-For the client makes up changes nothing: HAProxy drops it and adds the
    # address it saw, and the apps trust exactly that one proxy.
    assert sign_once(session_from("127.0.3.201"), stack.base, "spoofx@gmail.com",
                     **{"X-Forwarded-For": "198.51.100.9"}) == 429
    FIGURES["rate_limit"] = {"limit_per_minute": NETWORK_LIMIT, "answers": dict(Counter(answers))}


def test_an_organizer_session_works_on_both_servers(stack):
    session = session_from("127.0.5.1")
    app1, app2 = (f"http://127.0.0.1:{port}" for port in stack.app_ports)
    page = session.get(f"{app1}/organize/login", timeout=15)
    response = session.post(f"{app1}/organize/login", allow_redirects=False, timeout=15, data={
        "email": ORGANIZER[0], "password": ORGANIZER[1], **hidden_inputs(page.text)})
    assert response.status_code in (302, 303), response.text[:500]
    assert response.headers["Location"].endswith("/organize/")
    for base in (app2, app1, app2):
        console = session.get(f"{base}/organize/", allow_redirects=False, timeout=15)
        assert console.status_code == 200, (base, console.status_code)
    assert session.get(f"{app2}/organize/users", timeout=15).status_code == 200
    # A form shown by one server is accepted by the other (the CSRF token lives in the
    # signed session), and one without the token is refused there.
    token = csrf_from(session.get(f"{app1}/organize/", timeout=15).text)
    refused = session.post(f"{app2}/organize/logout", allow_redirects=False, timeout=15)
    assert refused.status_code == 400
    out = session.post(f"{app2}/organize/logout", data={"csrf_token": token},
                       allow_redirects=False, timeout=15)
    assert out.status_code in (302, 303) and "/organize/login" in out.headers["Location"]
    # Logged out through server 2 is logged out on server 1 too.
    after = session.get(f"{app1}/organize/", allow_redirects=False, timeout=15)
    assert after.status_code in (302, 303), after.status_code


# --- load --------------------------------------------------------------------------------------

class Load:
    """Signers (many /24 networks), a confirmer clicking the e-mailed links, and a reader
    checking that the cached page never shows a count older than its promise."""

    def __init__(self, stack, label: str, signers: int = 6):
        self.stack, self.label, self.signers = stack, label, signers
        self.started = time.monotonic()
        self.stop_signing = threading.Event()
        self.stop_all = threading.Event()
        self.lock = threading.Lock()
        self.events: list[tuple[float, str, object]] = []
        self.attempted: set[str] = set()
        self.told_303: set[str] = set()
        self.confirmed: set[str] = set()
        self.history: deque = deque(maxlen=2000)  # (time, committed count)
        self.stale: list[tuple] = []
        self.page_reads = 0
        self.threads = [threading.Thread(target=self.signer, args=(k,), daemon=True)
                        for k in range(signers)]
        self.threads += [threading.Thread(target=self.confirmer, daemon=True),
                         threading.Thread(target=self.reader, daemon=True)]

    def now(self) -> float:
        return time.monotonic() - self.started

    def record(self, kind: str, status) -> None:
        with self.lock:
            self.events.append((self.now(), kind, status))

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def signer(self, k: int):
        sessions: dict[int, requests.Session] = {}
        n = 0
        while not self.stop_signing.is_set():
            network = 10 + k * 30 + (n // 3) % 30  # three signatures per /24, then the next
            session = sessions.setdefault(network, session_from(f"127.0.{network}.1"))
            email = f"{self.label}{k}n{n}@gmail.com"
            with self.lock:
                self.attempted.add(email)
            try:
                status = sign_once(session, self.stack.base, email)
            except requests.RequestException as exc:
                status = type(exc).__name__
            self.record("sign", status)
            if status == 303:
                with self.lock:
                    self.told_303.add(email)
            n += 1

    def confirmer(self):
        session = session_from("127.0.9.1")
        seen, queued, todo = 0, set(), deque()
        while not self.stop_all.is_set():
            batch = self.stack.sink.messages[seen:]  # one snapshot: the sink appends meanwhile
            seen += len(batch)
            for message in batch:
                body = message.get_body(("plain",)).get_content()
                link = LINK.search(body)
                recipient = str(message["To"])
                if link and recipient.startswith(self.label) and recipient not in queued:
                    queued.add(recipient)
                    todo.append((recipient, link.group(0)))
            if not todo:
                time.sleep(0.05)
                continue
            recipient, link = todo.popleft()
            try:
                status = session.get(link, timeout=15, allow_redirects=False).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            self.record("confirm", status)
            if status == 200:
                with self.lock:
                    self.confirmed.add(recipient)
            else:  # a person whose click failed clicks again
                todo.append((recipient, link))
                time.sleep(0.1)

    def reader(self):
        session = session_from("127.0.8.1")
        while not self.stop_all.is_set():
            before = db_count(self.stack)
            self.history.append((self.now(), before))
            asked = self.now()
            try:
                page = session.get(f"{self.stack.base}/en/c/scaleout", timeout=15)
            except requests.RequestException as exc:
                self.record("view", type(exc).__name__)
                continue
            self.record("view", page.status_code)
            if page.status_code == 200:
                shown = int(COUNT.search(page.text).group(1))
                self.page_reads += 1
                # Every count committed more than CACHE_SECONDS before the request (plus
                # half a second for clocks and the reader's own query) must be shown.
                promised = max((c for t, c in self.history
                                if t <= asked - CACHE_SECONDS - 0.5), default=0)
                if shown < promised:
                    self.stale.append((round(asked, 2), shown, promised))
            time.sleep(0.2)

    def failures(self, start: float = 0, end: float = 1e9) -> list:
        return [(round(t, 2), kind, status) for t, kind, status in self.events
                if start <= t <= end and (not isinstance(status, int) or status >= 500)]


def settle_and_check(stack, load: Load, seconds: float = 90) -> dict:
    """Stop signing, let the workers and the confirmer finish, then compare every number."""
    try:
        return _settle_and_check(stack, load, seconds)
    finally:
        load.stop_signing.set()
        load.stop_all.set()


def _settle_and_check(stack, load: Load, seconds: float) -> dict:
    load.stop_signing.set()
    for thread in load.threads[:load.signers]:
        thread.join(30)
    told = set(load.told_303)

    def settled():
        queue = sql(stack, "SELECT count(*) FROM outbox_messages WHERE status <> 'sent'")[0][0]
        return queue == 0 and told <= load.confirmed
    assert wait_until(settled, seconds, 0.5), (
        f"not settled: {len(told - load.confirmed)} unconfirmed, outbox "
        f"{sql(stack, 'SELECT status, count(*) FROM outbox_messages GROUP BY status')}")
    time.sleep(CACHE_SECONDS + 0.5)
    load.stop_all.set()
    for thread in load.threads[load.signers:]:
        thread.join(30)

    rows = sql(stack, "SELECT email, status, count(*) OVER (PARTITION BY email) FROM signatures "
                      "WHERE campaign_id = :c AND email LIKE :p",
               c=stack.campaign_id, p=f"{load.label}%")
    emails = {row[0] for row in rows}
    assert all(row[2] == 1 for row in rows), "a signature was stored twice"
    assert told <= emails, f"told 303 but not stored: {sorted(told - emails)[:5]}"
    assert emails <= load.attempted
    assert {row[1] for row in rows} == {"confirmed"}
    assert load.confirmed == emails

    confirm_mail = [str(m["To"]) for m in stack.sink.messages
                    if str(m["To"]).startswith(load.label) and LINK.search(
                        m.get_body(("plain",)).get_content())]
    duplicates = len(confirm_mail) - len(set(confirm_mail))
    assert set(confirm_mail) == emails
    assert duplicates <= BATCH_SIZE, duplicates

    total_confirmed = sql(stack, "SELECT count(*) FROM signatures WHERE campaign_id = :c AND "
                                 "status = 'confirmed'", c=stack.campaign_id)[0][0]
    assert db_count(stack) == total_confirmed  # the counter slots are exact
    page = session_from("127.0.8.2").get(f"{stack.base}/en/c/scaleout", timeout=15)
    assert int(COUNT.search(page.text).group(1)) == total_confirmed
    assert not load.stale, f"page showed a count older than promised: {load.stale[:5]}"

    statuses = Counter(str(status) for _, kind, status in load.events if kind == "sign")
    return {"seconds": round(load.now(), 1), "sign_requests": sum(statuses.values()),
            "sign_answers": dict(statuses), "told_303": len(told), "rows": len(emails),
            "confirm_emails": len(confirm_mail), "duplicate_emails": duplicates,
            "confirm_clicks": sum(1 for e in load.events if e[1] == "confirm"),
            "page_reads": load.page_reads, "count_after": total_confirmed}


def test_signing_survives_a_killed_server_and_worker(stack):
    load = Load(stack, "kill").start()
    time.sleep(8)
    kill_at = load.now()
    stack.stop("app1", signal.SIGTERM, wait=1)  # a graceful stop that takes too long...
    stack.kill_group("app1")                     # ...is cut short: workers killed mid-request
    time.sleep(2)

    def sending():
        return sql(stack, "SELECT count(*) FROM outbox_messages WHERE status = 'sending'")[0][0]
    wait_until(lambda: sending() > 0, 3, 0.02)  # try to catch a batch in flight
    in_flight = sending()
    worker_killed_at = load.now()
    stack.kill_group("worker1")                  # mid-batch, its lease lapses later
    time.sleep(6)
    figures = settle_and_check(stack, load)
    failures = load.failures()
    in_window = load.failures(kill_at - 0.5, kill_at + 10)
    figures.update(kill_at=round(kill_at, 1), worker_killed_at=round(worker_killed_at, 1),
                   outbox_sending_at_worker_kill=in_flight,
                   failures_during_kill=len(in_window), failures_total=len(failures),
                   failure_kinds=dict(Counter(str(f[2]) for f in failures)))
    FIGURES["kill"] = figures
    print(json.dumps(figures))
    assert failures == in_window, f"failures outside the kill window: {failures[:10]}"
    assert len(in_window) <= 10
    assert figures["told_303"] >= 50, "too little load to mean anything"


def test_metrics_come_from_every_process_and_stay_private(stack):
    """Under gunicorn (several processes) /metrics sums them; the balancer refuses the path."""
    from prometheus_client.parser import text_string_to_metric_families
    app2 = f"http://127.0.0.1:{stack.app_ports[1]}/metrics"

    def scrape() -> dict[str, float]:
        response = requests.get(app2, timeout=15,
                                headers={"Authorization": "Bearer scaleout-metrics"})
        assert response.status_code == 200
        return {sample.name: sample.value
                for family in text_string_to_metric_families(response.text)
                for sample in family.samples if not sample.labels}

    values = scrape()
    stored = sql(stack, "SELECT count(*) FROM signatures")[0][0]
    # app1 is gone (its counts went with it); app2's processes counted their share.
    assert 0 < values["campaign_signatures_created_total"] <= stored
    assert values["campaign_sign_seconds_count"] >= values["campaign_signatures_created_total"]
    assert values["campaign_outbox_queue_depth"] == 0
    # Twelve more signatures straight to app2, each on a new connection (the kernel hands
    # them to either gunicorn process): the scrape counts every one, whichever process
    # answered it and whichever process answers the scrape.
    own_pids = set()
    for n in range(12):
        session = session_from(f"127.0.{200 + n}.1")  # networks no other test uses
        assert sign_once(session, f"http://127.0.0.1:{stack.app_ports[1]}",
                         f"metrics{n}x@gmail.com") == 303
        session.close()
    after = scrape()
    assert after["campaign_signatures_created_total"] - values[
        "campaign_signatures_created_total"] == 12
    assert after["campaign_sign_seconds_count"] - values["campaign_sign_seconds_count"] == 12
    for path in (stack.tmp / "app2" / "prometheus").glob("counter_*.db"):
        own_pids.add(path.stem.rsplit("_", 1)[-1])
    assert len(own_pids) >= 2, own_pids  # both processes wrote their own counter files
    assert requests.get(app2, timeout=15).status_code == 403
    assert requests.get(f"{stack.base}/metrics", timeout=15,
                        headers={"Authorization": "Bearer scaleout-metrics"}
                        ).status_code == 404


def scratch_migrations(tmp: Path) -> Path:
    """The real migrations plus the live-upgrade fixture revision on top of today's head."""
    from alembic.script import ScriptDirectory
    target = tmp / "migrations"
    shutil.copytree(ROOT / "migrations", target)
    (head,) = ScriptDirectory(str(target)).get_heads()
    template = (Path(__file__).parent / "live_upgrade_revision.py.tmpl").read_text()
    (target / "versions" / "2099_01_01_0000_f0e1a2b3c4d5_live_upgrade_fixture.py"
     ).write_text(template.replace("{down_revision}", head))
    return target


def test_live_upgrade_while_signing(stack, tmp_path):
    # Back to two servers and two workers (the previous test killed one of each).
    stack.start_app(1)
    stack.start_worker(1)
    stack.wait_app(1)
    assert wait_until(stack.both_up_in_haproxy, 20), stack.haproxy_states()
    migrations = scratch_migrations(tmp_path)

    load = Load(stack, "upgrade", signers=4).start()
    time.sleep(5)
    upgrade_at = load.now()
    attempts = []
    for _ in range(3):  # a lock_timeout means "run it again", as docs/migrations.md says
        result = stack.flask("db", "upgrade", "--directory", str(migrations))
        attempts.append(result.returncode)
        if result.returncode == 0:
            break
        assert "lock timeout" in result.stderr, result.stderr[-2000:]
    assert attempts[-1] == 0
    upgrade_took = load.now() - upgrade_at
    time.sleep(6)
    figures = settle_and_check(stack, load)

    column = sql(stack, "SELECT column_default, is_nullable FROM information_schema.columns "
                        "WHERE table_name = 'signatures' AND column_name = 'referral'")
    assert column and "direct" in column[0][0] and column[0][1] == "NO"
    index = sql(stack, "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = "
                       "i.indexrelid WHERE c.relname = 'ix_signatures_campaign_referral'")
    assert index == [(True,)]
    late = sql(stack, "SELECT count(*), count(*) FILTER (WHERE referral = 'direct') FROM "
                      "signatures WHERE email LIKE 'upgrade%'")[0]
    assert late[0] == late[1] == figures["rows"]  # rows written by the old code got the default

    failures = load.failures()
    figures.update(upgrade_at=round(upgrade_at, 1), upgrade_seconds=round(upgrade_took, 1),
                   upgrade_attempts=len(attempts), failures_total=len(failures),
                   failure_kinds=dict(Counter(str(f[2]) for f in failures)))
    FIGURES["upgrade"] = figures
    print(json.dumps(figures))
    assert len(failures) <= 5, failures
    assert figures["told_303"] >= 30
