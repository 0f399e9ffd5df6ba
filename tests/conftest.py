"""Test fixtures: a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
a real SMTP server on loopback, and an app that can never reach a real mail server.

Every test that uses `app` runs once per database. The schema is built by the Alembic
migrations (so they are tested by every run), and rows are wiped after each test.
"""
from __future__ import annotations

import fcntl
import os
import re
import socket
import threading
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from campaign import create_app
from campaign.extensions import db
from campaign.outbox.transports import MemoryTransport

# Fixtures more than one folder uses: the fake Stripe API (donations and browser tests).
pytest_plugins = ["tests.donations.fake_stripe"]

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
SECRET = "test-secret-key-not-for-production"


def pg_url(purpose: str = "") -> str:
    """TEST_DATABASE_URL for SQLAlchemy; `purpose` names a scratch database beside it (e.g.
    test_backup). Under pytest-xdist each worker has its own databases (test_gw0,
    test_backup_gw0): workers run at once and each wipes its database after every test."""
    url = os.environ["TEST_DATABASE_URL"]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not (purpose or worker):
        return url
    base = make_url(url)
    name = "_".join(part for part in (base.database, purpose, worker) if part)
    return base.set(database=name).render_as_string(hide_password=False)


def ensure_database(url: str) -> None:
    """Create the database if the server has none of that name (a worker's, on first use)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                              {"name": target.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def reset_postgres(url: str) -> None:
    ensure_database(url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app(database_url: str, instance_path: Path, **overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": SECRET,
        "MAIL_TRANSPORT": "memory",
        "OUTBOX_INLINE": False,  # tests run the worker themselves
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 0,  # never a real mail server unless a test starts one
        "MAIL_SUPPRESS_SEND": False,  # the SMTP tests talk to a real (loopback) server
        "SITE_URL": "http://campaign.test",
        "RATELIMIT_ENABLED": False,
        # Pages show the count as of now; tests of the page cache turn it on themselves.
        "CAMPAIGN_PAGE_CACHE_SECONDS": 0,
        "ABUSE_MIN_FILL_SECONDS": 0,  # tests post forms at once; tests/abuse turn it on
    }
    config.update(overrides)
    return create_app(config, instance_path=str(instance_path))


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = pg_url()
        reset_postgres(url)
    app = make_app(url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance")
    MemoryTransport.sent.clear()
    with app.app_context():
        yield app
        db.session.remove()
        wipe(db.engine)
        for engine in db.engines.values():  # PostgreSQL's autocommit pool too
            engine.dispose()


def wipe(engine) -> None:
    tables = [table.name for table in db.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def sent_mail():
    """Messages handed to the memory transport by the outbox, as email.message objects."""
    def messages():
        return [message_from_bytes(raw, policy=policy.default)
                for raw in MemoryTransport.sent]
    return messages


# --- a real SMTP server on loopback ------------------------------------------------------

class RecordingHandler:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port; `.messages` holds what it got."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.messages = handler.messages
    yield controller
    controller.stop()


@pytest.fixture
def smtp_app(app, smtp_server):
    """The app configured to deliver through the loopback SMTP server."""
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=smtp_server.port)
    app.extensions["mail"].server = "127.0.0.1"
    app.extensions["mail"].port = smtp_server.port
    return app


def login(client, email: str, password: str):
    page = client.get("/organize/login")
    return client.post("/organize/login", data={
        "email": email, "password": password,
        "csrf_token": csrf_from(page.get_data(as_text=True))})


# --- running on every core (pytest-xdist) -------------------------------------------------

# Tests that load the whole machine (servers in subprocesses, signers in threads, timed
# windows): one pytest-xdist work unit, so one worker runs them one after another, first
# (the largest unit goes first), each alone (machine_turn below). The scale-out module
# also shares one stack between its tests, in order. Prefixes of test ids.
MACHINE_GROUP = (
    "tests/scaleout/",
    "tests/faults/test_server_killed.py::",
    "tests/faults/test_worker_killed.py::",
    "tests/ops/test_backup.py::test_flask_backup_under_load_",
    "tests/ops/test_backup.py::test_pg_dump_under_load_",
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` (pyproject.toml) with the group above. xdist's own grouping, the
    xdist_group marker, renames test ids in a way pytest 9 ignores (xdist 3.8), so it
    would group nothing; this scheduler reads the test ids the controller has."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class MachineGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "machine" if nodeid.startswith(MACHINE_GROUP) else nodeid

    return MachineGroupScheduling(config, log)


@pytest.fixture(autouse=True)
def machine_turn(request, tmp_path_factory):
    """Under pytest-xdist, a MACHINE_GROUP test runs alone: it takes the session's lock
    exclusively, every other test takes it shared (its timed windows and load figures assume
    the machine; beside the other worker the live-upgrade test sent more duplicate e-mails
    than its bound). A turnstile keeps the other worker's stream of tests from starving it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    folder = tmp_path_factory.getbasetemp().parent  # this session's, shared by its workers
    exclusive = request.node.nodeid.startswith(MACHINE_GROUP)
    with (folder / "machine.turnstile").open("a") as turnstile, \
            (folder / "machine.lock").open("a") as lock:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        fcntl.flock(turnstile, fcntl.LOCK_UN)
        yield


def pytest_configure(config):
    # WTForms 3.3 deprecates tuple choices; harmless until 3.4, and noisy in every run.
    config.addinivalue_line("filterwarnings",
                            "ignore:Passing SelectField choices as tuples:DeprecationWarning")


@pytest.fixture(scope="session")
def dossier_fonts():
    """The delivery dossier's Chinese weights, made before a test times a request: a request
    never makes them (it queues the dossier instead), and on a machine with none cached
    making them takes a minute. Cached in ~/.cache afterwards."""
    from campaign.letters.dossier import prepare_fonts

    return prepare_fonts()
