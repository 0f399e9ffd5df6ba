"""An outbox worker killed with SIGKILL mid-batch: after a restart every message arrives."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


def start_worker(database_url, smtp_port, instance):
    env = dict(os.environ, FLASK_APP="wsgi", DATABASE_URL=database_url, SECRET_KEY=SECRET,
               MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port),
               OUTBOX_LEASE_SECONDS="2", OUTBOX_BATCH_SIZE="5", INSTANCE_PATH=str(instance),
               OUTBOX_RETRY_BASE_SECONDS="1")
    return subprocess.Popen([FLASK, "outbox", "work", "--idle", "0.2"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def row_ids(messages) -> list[int]:
    """The outbox row behind each Message-ID (`<outbox-ID.KEYED@site-domain>`)."""
    return [int(re.match(r"<outbox-(\d+)\.", m["Message-ID"]).group(1)) for m in messages]


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_killed_worker_loses_nothing(app, database_url, slow_smtp, tmp_path):
    for n in range(15):
        outbox.enqueue(kind="test", to=f"k{n}@example.org", subject=f"n{n}", body_text="x")
    db.session.commit()
    ids = [row.id for row in db.session.scalars(select(OutboxMessage))]
    expected = set(ids)

    worker = start_worker(database_url, slow_smtp.port, tmp_path)
    try:
        assert wait_for(lambda: len(slow_smtp.messages) >= 3, 30), "worker sent nothing"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    db.session.expire_all()
    statuses = [row.status for row in db.session.scalars(select(OutboxMessage))]
    assert "sending" in statuses  # killed mid-batch: claimed rows left behind

    worker = start_worker(database_url, slow_smtp.port, tmp_path)
    try:
        assert wait_for(lambda: set(row_ids(slow_smtp.messages)) >= expected, 40)
    finally:
        worker.terminate()
        worker.wait(10)
    received = row_ids(slow_smtp.messages)
    assert set(received) == expected
    # At least once: only the batch in flight at the kill may arrive twice.
    assert len(received) - len(expected) <= 5
