"""The application's embedded defaults and its answers to what goes wrong."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from campaign import create_app

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_need_nothing_installed(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "SECRET_KEY", "MAIL_SERVER", "REDIS_URL", "MAIL_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'campaign.db'}"
    assert app.config["MAIL_TRANSPORT"] == "files"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    key = app.config["SECRET_KEY"]
    assert len(key) >= 40 and (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    # Generated once, then kept: sessions and e-mailed links survive a restart.
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == key


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example/campaign")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("SITE_URL", "https://petition.example.org/")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://someone@db.example/campaign")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    assert app.config["MAIL_TRANSPORT"] == "smtp" and app.config["MAIL_PORT"] == 587
    assert app.config["SITE_URL"] == "https://petition.example.org"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_sqlite_runs_in_wal_mode(app):
    from campaign.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_asks_the_database_one_question(client, app):
    """A load balancer polls /healthz all day: on a database server it is one statement on
    a connection of the autocommit pool (psycopg sends no BEGIN and no ROLLBACK around it,
    and no connection is switched in and out of autocommit); nothing touches the main pool."""
    from sqlalchemy import event

    from campaign.extensions import db

    used: dict[str, list[object]] = {"main": [], "autocommit": []}
    engines = {"main": db.engine, "autocommit": db.autocommit_engine}
    listeners = {name: (lambda dbapi_connection, record, proxy, name=name:
                        used[name].append(dbapi_connection))
                 for name, engine in engines.items() if engine is not None}
    for name, listener in listeners.items():
        event.listen(engines[name], "checkout", listener)
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        for name, listener in listeners.items():
            event.remove(engines[name], "checkout", listener)
    if db.engine.dialect.name == "sqlite":
        assert len(used["main"]) == 1  # a SELECT opens no transaction there
        return
    assert used["main"] == [] and len(used["autocommit"]) == 1
    connection = used["autocommit"][0]
    assert connection.autocommit  # set when the pool opened it, never switched
    from psycopg.pq import TransactionStatus
    assert connection.info.transaction_status == TransactionStatus.IDLE


def test_healthz_is_503_when_the_database_is_gone(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/x",
                      "SECRET_KEY": "x"}, instance_path=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.headers["Retry-After"]


def test_root_redirects_by_cookie_then_accept_language(client):
    assert client.get("/", headers={"Accept-Language": "kk,ru;q=0.8"}).location == "/kk/"
    assert client.get("/", headers={"Accept-Language": "zh-CN"}).location == "/zh/"
    assert client.get("/", headers={"Accept-Language": "ja"}).location == "/en/"
    client.get("/de/language?next=/de/")
    assert client.get("/", headers={"Accept-Language": "ru"}).location == "/de/"


def test_language_switch_refuses_open_redirects(client):
    assert client.get("/ru/language?next=//evil.example/").location == "/ru/"
    assert client.get("/ru/language?next=https://evil.example/").location == "/ru/"


def test_setup_builds_database_and_demo_from_nothing(tmp_path):
    env = dict(os.environ, INSTANCE_PATH=str(tmp_path), FLASK_APP="wsgi")
    for name in ("DATABASE_URL", "SECRET_KEY", "MAIL_SERVER"):
        env.pop(name, None)
    run = subprocess.run([sys.executable, "-m", "flask", "setup"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "password:" in run.stdout and "korday-sentences-review" in run.stdout
    # Where to use the password, and what to do when it is lost (issue 14).
    assert "console: http://127.0.0.1:5000/organize/" in run.stdout
    assert "users set-password" in run.stdout
    again = subprocess.run([sys.executable, "-m", "flask", "setup"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0 and "password:" not in again.stdout  # printed once only
    listing = subprocess.run([sys.executable, "-m", "flask", "campaigns", "list"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "korday-sentences-review\tlive\t0/10000" in listing.stdout


def test_client_address_comes_from_trusted_proxies_only(tmp_path):
    from flask import request

    def remote_addr_seen(trusted):
        app = create_app({"SECRET_KEY": "x", "TRUSTED_PROXIES": trusted},
                         instance_path=str(tmp_path))
        app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr)
        return app.test_client().get(
            "/whoami", headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_data(as_text=True)

    assert remote_addr_seen(0) == "10.0.0.2"  # a client cannot forge its address
    assert remote_addr_seen(1) == "203.0.113.7"  # behind one load balancer
