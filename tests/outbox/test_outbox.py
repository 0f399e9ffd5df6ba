"""The outbox delivers through a real SMTP server, retries with backoff, and never loses mail."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from campaign.extensions import db
from campaign.outbox import service as outbox
from campaign.outbox.models import OutboxMessage
from campaign.util import utcnow
from tests.conftest import SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]


def queue(count, **kwargs):
    for number in range(count):
        outbox.enqueue(kind="test", to=f"reader{number}@example.org",
                       subject=kwargs.get("subject", f"Message {number}"),
                       body_text=kwargs.get("body", f"Body {number}"))
    db.session.commit()


def statuses():
    db.session.expire_all()
    return [row.status for row in db.session.scalars(select(OutboxMessage))]


def test_delivers_utf8_text_and_html_to_a_real_smtp_server(smtp_app, smtp_server):
    outbox.enqueue(kind="test", to="читатель@example.org".replace("читатель", "reader"),
                   subject="Подпишите петицию — Қордай 中文", body_text="Сәлем, әлем",
                   body_html="<p>Сәлем</p>", headers={"List-Unsubscribe": "<http://x/u>"})
    db.session.commit()
    assert outbox.work(once=True) == 1
    [message] = smtp_server.messages
    assert message["Subject"] == "Подпишите петицию — Қордай 中文"
    assert message.get_body(("plain",)).get_content().strip() == "Сәлем, әлем"
    assert "<p>Сәлем</p>" in message.get_body(("html",)).get_content()
    assert message["List-Unsubscribe"] == "<http://x/u>"
    assert statuses() == ["sent"]


def test_smtp_down_keeps_mail_queued_and_retries_with_backoff(app):
    port = free_port()  # nothing listens here
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_PORT=port, OUTBOX_RETRY_BASE_SECONDS=60)
    app.extensions["mail"].port = port
    queue(3)
    outbox.work(once=True)
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {row.status for row in rows} == {"queued"}
    assert all(row.attempts == 1 and row.last_error for row in rows)
    delay = rows[0].next_attempt_at - utcnow()
    assert timedelta(seconds=40) < delay < timedelta(seconds=75)
    # Not due yet: a second pass sends nothing and does not count an attempt.
    assert outbox.work(once=True) == 0


def test_mail_waits_for_the_server_and_goes_out_once(app, smtp_server):
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_PORT=free_port())
    app.extensions["mail"].port = app.config["MAIL_PORT"]
    queue(5)
    outbox.work(once=True)
    assert smtp_server.messages == []
    # The server comes back; the messages fall due.
    app.extensions["mail"].port = smtp_server.port
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    outbox.work(once=True)
    outbox.work(once=True)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        f"reader{n}@example.org" for n in range(5))
    assert set(statuses()) == {"sent"}


def test_gives_up_after_max_attempts_and_records_the_error(app):
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_PORT=free_port(), OUTBOX_MAX_ATTEMPTS=2)
    app.extensions["mail"].port = app.config["MAIL_PORT"]
    queue(1)
    for _ in range(2):
        outbox.work(once=True)
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "failed" and "Connection" in row.last_error
    assert outbox.retry_failed() == 1
    assert statuses() == ["queued"]


def test_a_crashed_workers_claim_lapses_and_is_sent_again(app, sent_mail):
    queue(2)
    claimed = outbox.claim_batch()  # a worker claims, then "dies" before sending
    assert len(claimed) == 2 and outbox.claim_batch() == []
    db.session.execute(update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert outbox.work(once=True) == 2
    assert len(sent_mail()) == 2


def test_file_transport_keeps_eml_files_and_their_links_never_in_the_log(app, caplog,
                                                                          tmp_path):
    app.config.update(MAIL_TRANSPORT="files", MAIL_DIR=str(tmp_path / "mail"))
    queue(1, body="Confirm: http://campaign.test/confirm/abc")
    with caplog.at_level("INFO"):
        outbox.work(once=True)
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    assert b"Subject: Message 0" in eml.read_bytes()
    # A link's token opens someone's data: beside the e-mail (owner-only), not in the log.
    [links] = list((tmp_path / "mail").glob("*.links.txt"))
    assert links.read_text() == "http://campaign.test/confirm/abc\n"
    assert links.stat().st_mode & 0o777 == 0o600
    assert "confirm/abc" not in caplog.text and links.name in caplog.text


def worker_env(database_url, smtp_port, instance):
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=SECRET,
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_TRANSPORT="smtp",
               INSTANCE_PATH=str(instance), OUTBOX_BATCH_SIZE="20", FLASK_APP="wsgi")
    return env


def flask_cmd(*args):
    return [sys.executable, "-m", "flask", *args]


def test_two_workers_never_send_one_message_twice(app, smtp_server, database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent workers share the queue with SKIP LOCKED on PostgreSQL")
    queue(300)
    env = worker_env(database_url, smtp_server.port, tmp_path)
    workers = [subprocess.Popen(flask_cmd("outbox", "work", "--once"), cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 300 and len(set(ids)) == 300
    handled = [int(out.split("handled ")[1].split()[0]) for out, _ in outputs]
    assert sum(handled) == 300 and min(handled) > 0, handled  # both shared the work
    assert set(statuses()) == {"sent"}


def test_worker_exits_cleanly_on_sigterm(app, smtp_server, database_url, tmp_path):
    env = worker_env(database_url, smtp_server.port, tmp_path)
    worker = subprocess.Popen(flask_cmd("outbox", "work", "--idle", "0.2"), cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    queue(3)
    deadline = time.monotonic() + 30
    while len(smtp_server.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "handled 3" in out
    assert len(smtp_server.messages) == 3


def test_inline_delivery_writes_the_email_during_the_request(app, client, tmp_path, caplog):
    from tests.factories import make_campaign
    from tests.petitions.test_signing import sign

    app.config.update(MAIL_TRANSPORT="files", MAIL_DIR=str(tmp_path / "mail"),
                      OUTBOX_INLINE=True)
    campaign = make_campaign()
    with caplog.at_level("INFO"):
        sign(client, campaign)
    [_eml] = list((tmp_path / "mail").glob("*signature_confirm.eml"))
    [links] = list((tmp_path / "mail").glob("*signature_confirm.links.txt"))
    assert "http://campaign.test/confirm/" in links.read_text()
    assert "/confirm/" not in caplog.text  # the link's token is never logged
    assert statuses() == ["sent"]
