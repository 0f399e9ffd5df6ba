"""`flask backup`: a consistent copy of the SQLite database taken while people sign; restored
into a fresh database it holds every signature confirmed before the backup began."""
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.ops.backup import BackupError, backup_sqlite
from campaign.petitions import service as petitions
from campaign.petitions.service import SignatureInput
from tests.conftest import make_app
from tests.factories import make_campaign


def _confirmed_emails(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {r[0] for r in conn.execute(text(
            "SELECT email FROM signatures WHERE status = 'confirmed'"))}
        counted = conn.execute(text("SELECT COALESCE(SUM(count), 0) FROM signature_counters"
                                    )).scalar()
    engine.dispose()
    return rows, counted


def test_backup_under_load_restores_every_confirmed_signature(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    app = make_app(url, tmp_path / "instance")
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        campaign_id = make_campaign().id
        db.session.remove()

    stop = threading.Event()
    confirmed_before: set[str] = set()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def signer(worker: int):
        # Each thread signs and confirms as a supporter would (service calls, own session).
        with app.app_context():
            n = 0
            while not stop.is_set():
                email = f"w{worker}-{n}@example.org"
                try:
                    campaign = db.session.get(Campaign, campaign_id)
                    petitions.sign(campaign, SignatureInput(
                        full_name=f"Signer {worker} {n}", email=email, country="KZ",
                        locale="en", ip="198.51.100.7"))
                    signature = petitions._find(campaign_id, email)
                    token = petitions.signature_token("confirm", signature)
                    outcome, _ = petitions.confirm(token)
                    assert outcome is petitions.ConfirmOutcome.CONFIRMED
                    with lock:
                        confirmed_before.add(email)
                except BaseException as exc:  # noqa: BLE001 - reported by the test
                    errors.append(exc)
                    return
                finally:
                    db.session.remove()
                n += 1

    threads = [threading.Thread(target=signer, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    with lock:
        snapshot = set(confirmed_before)  # confirmed (committed) before the backup began
    runner = app.test_cli_runner()
    target = tmp_path / "backups" / "copy.db"
    result = runner.invoke(args=["backup", str(target)])
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert result.exit_code == 0, result.output
    assert "backup written to" in result.output
    assert len(snapshot) >= 10, "the load did not run"
    assert len(confirmed_before) > len(snapshot), "nobody signed while the backup ran"
    assert oct(target.stat().st_mode & 0o777) == "0o600"

    # Restore: the copy becomes a fresh database file, opened as the app would open it.
    restored = tmp_path / "restored.db"
    restored.write_bytes(target.read_bytes())
    emails, counted = _confirmed_emails(f"sqlite:///{restored}")
    assert snapshot <= emails
    assert counted == len(emails)  # the counter slots agree with the rows in the copy
    restored_app = make_app(f"sqlite:///{restored}", tmp_path / "instance2")
    with restored_app.app_context():
        response = restored_app.test_client().get("/readyz")
        assert response.status_code == 200
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()


def test_backup_refuses_postgresql_and_existing_files(tmp_path):
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/x", tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output
    source = tmp_path / "a.db"
    sqlite3.connect(source).close()
    taken = tmp_path / "taken.db"
    taken.write_text("keep me")
    with pytest.raises(BackupError):
        backup_sqlite(source, taken)
    assert taken.read_text() == "keep me"
    with pytest.raises(BackupError):
        backup_sqlite(tmp_path / "missing.db", tmp_path / "new.db")
