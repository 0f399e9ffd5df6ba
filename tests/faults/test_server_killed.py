"""The app server killed with SIGKILL in the middle of a sign surge: every signature that got
its 303 is stored exactly once, with exactly one confirmation e-mail queued, and the worker
delivers each of them once. (The 303 goes out only after the commit: a signature whose
request died with the server either is all there, with its e-mail, or not at all.)"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.petitions.models import Signature
from tests.conftest import SECRET, free_port
from tests.factories import make_campaign

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SIGNERS = 8  # concurrent clients, each signing one address after another


def start_server(database_url, port, instance):
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=SECRET,
               SITE_URL=f"http://127.0.0.1:{port}", GUNICORN_BIND=f"127.0.0.1:{port}",
               WEB_CONCURRENCY="2", GUNICORN_THREADS="4", OUTBOX_INLINE="false",
               MAIL_TRANSPORT="memory", RATELIMIT_ENABLED="false",
               ABUSE_MIN_FILL_SECONDS="0", INSTANCE_PATH=str(instance), LOG_LEVEL="WARNING")
    return subprocess.Popen([GUNICORN, "-c", "python:campaign.gunicorn_conf", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def ready(base) -> bool:
    try:
        return requests.get(f"{base}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def signer(base, slug, n, answered, stop):
    """Sign with new addresses until the server is gone; record each address answered 303."""
    session = requests.Session()
    try:
        page = session.get(f"{base}/en/c/{slug}", timeout=10).text
    except requests.RequestException:
        return
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    i = 0
    while not stop.is_set():
        email = f"surge-{n}-{i}@example.org"
        i += 1
        try:
            response = session.post(f"{base}/en/c/{slug}/sign", allow_redirects=False,
                                    timeout=10, data={
                                        "csrf_token": token, "full_name": f"Surge {n} {i}",
                                        "email": email, "country": "KZ", "display": "full"})
        except requests.RequestException:
            return  # the server died under this request: it may or may not have committed
        assert response.status_code == 303, response.status_code
        answered.append(email)


def test_every_303_survives_a_killed_server_with_its_email(app, database_url, smtp_app,
                                                           smtp_server, tmp_path):
    campaign = make_campaign()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(database_url, port, tmp_path / "server")
    answered: list[str] = []
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 40
        while not ready(base):
            assert time.monotonic() < deadline and server.poll() is None, "no server"
            time.sleep(0.2)
        threads = [threading.Thread(target=signer, args=(base, campaign.slug, n, answered,
                                                          stop)) for n in range(SIGNERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(answered) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # mid-surge: requests are in flight
        server.wait(10)
        stop.set()
        for thread in threads:
            thread.join(15)
    finally:
        stop.set()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
    assert len(answered) >= 60, "the surge never got going"

    db.session.remove()
    stored = dict(db.session.execute(
        select(Signature.email, func.count()).where(Signature.campaign_id == campaign.id)
        .group_by(Signature.email)).all())
    assert all(stored.get(email) == 1 for email in answered), "a 303'd signature is missing"
    # Each stored signature (303'd or finished just before the kill) has its e-mail queued.
    queued = dict(db.session.execute(
        select(OutboxMessage.to_addr, func.count())
        .where(OutboxMessage.kind == "signature_confirm").group_by(OutboxMessage.to_addr)).all())
    assert queued == dict.fromkeys(stored, 1)

    outbox.work(once=True)
    delivered = sorted(m["To"] for m in smtp_server.messages)
    assert delivered == sorted(stored)  # every one delivered, once
    assert set(answered) <= set(delivered)
