"""Backups taken while people sign: `flask backup` for SQLite (the online backup API) and the
documented pg_dump/pg_restore procedure for PostgreSQL. Restored into a fresh database, each
holds every signature confirmed before the backup began, and counters that match its rows."""
import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from campaign.campaigns.models import Campaign
from campaign.extensions import db
from campaign.ops.backup import BackupError, backup_sqlite
from campaign.petitions import service as petitions
from campaign.petitions.service import SignatureInput
from tests.conftest import make_app, pg_url
from tests.factories import make_campaign


def confirmed_in(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {r[0] for r in conn.execute(text(
            "SELECT email FROM signatures WHERE status = 'confirmed'"))}
        counted = conn.execute(text("SELECT COALESCE(SUM(count), 0) FROM signature_counters"
                                    )).scalar()
    engine.dispose()
    return rows, counted


def migrated_app(url, instance):
    app = make_app(url, instance)
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        campaign_id = make_campaign().id
        db.session.remove()
    return app, campaign_id


def backup_under_load(app, campaign_id, take_backup):
    """Three threads sign and confirm as supporters do while `take_backup()` runs; returns
    the addresses confirmed (committed) before it began, and all confirmed by the end."""
    stop = threading.Event()
    confirmed: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def signer(worker: int):
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
                    outcome, _ = petitions.confirm(
                        petitions.signature_token("confirm", signature))
                    assert outcome is petitions.ConfirmOutcome.CONFIRMED
                    with lock:
                        confirmed.append(email)
                except BaseException as exc:
                    errors.append(exc)
                    return
                finally:
                    db.session.remove()
                n += 1

    threads = [threading.Thread(target=signer, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        with lock:
            before = set(confirmed)
        take_backup()
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert not errors, errors
    assert len(before) >= 10, "the load did not run"
    assert len(confirmed) > len(before), "nobody signed while the backup ran"
    return before, set(confirmed)


def test_flask_backup_under_load_restores_every_confirmed_signature(tmp_path):
    app, campaign_id = migrated_app(f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "instance")
    target = tmp_path / "backups" / "copy.db"
    outputs = []

    def take_backup():
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        outputs.append(result)

    before, after = backup_under_load(app, campaign_id, take_backup)
    assert outputs[0].exit_code == 0, outputs[0].output
    assert "backup written to" in outputs[0].output
    assert oct(target.stat().st_mode & 0o777) == "0o600"  # it holds personal data

    restored = tmp_path / "restored.db"  # restore = put the copy where the app expects it
    shutil.copyfile(target, restored)
    emails, counted = confirmed_in(f"sqlite:///{restored}")
    assert before <= emails <= after
    assert counted == len(emails)
    restored_app = make_app(f"sqlite:///{restored}", tmp_path / "instance2")
    with restored_app.app_context():
        assert restored_app.test_client().get("/readyz").status_code == 200
        db.engine.dispose()
    with app.app_context():
        db.engine.dispose()
    print(f"\nsqlite backup: {len(before)} confirmed before, {len(emails)} in the copy, "
          f"{len(after)} by the end")


def test_pg_dump_under_load_restores_every_confirmed_signature(tmp_path):
    """The procedure in docs/operations.md: pg_dump -Fc while signing, pg_restore into a new
    database."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("TEST_DATABASE_URL is not set")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed")
    live, fresh = make_url(pg_url("backup")), make_url(pg_url("restore"))
    admin = create_engine(live.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for url in (live, fresh):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{live.database}"'))
        conn.execute(text(f'CREATE DATABASE "{fresh.database}"'))
    live_url = live.render_as_string(hide_password=False)
    fresh_url = fresh.render_as_string(hide_password=False)

    def libpq(url):  # pg_dump speaks libpq URLs, not SQLAlchemy's driver names
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    dump = tmp_path / "campaign.dump"
    try:
        app, campaign_id = migrated_app(live_url, tmp_path / "instance")

        def take_backup():
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}",
                            libpq(live)], check=True, timeout=120)

        before, after = backup_under_load(app, campaign_id, take_backup)
        with app.app_context():
            db.engine.dispose()
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                        f"--dbname={libpq(fresh)}", str(dump)], check=True, timeout=120)
        emails, counted = confirmed_in(fresh_url)
        assert before <= emails <= after
        assert counted == len(emails)
        restored_app = make_app(fresh_url, tmp_path / "instance2")
        with restored_app.app_context():
            assert restored_app.test_client().get("/readyz").status_code == 200
            db.engine.dispose()
        print(f"\npg_dump backup: {len(before)} confirmed before, {len(emails)} in the copy, "
              f"{len(after)} by the end")
    finally:
        with admin.connect() as conn:
            for url in (live, fresh):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


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
