"""The production stack on loopback: HAProxy (deploy/haproxy.cfg) in front of two gunicorn
instances, PostgreSQL (a scratch database beside TEST_DATABASE_URL's), one redis-server of
our own, two outbox workers, and an SMTP sink (aiosmtpd). Everything on free loopback ports,
everything stopped at the end.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import SECRET, free_port, pg_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CI = os.environ.get("CI") == "true"
CACHE_SECONDS = 2
NETWORK_LIMIT = 20  # signatures per minute from one /24, whichever server they reach
BATCH_SIZE = 10     # outbox batch: the most a killed worker may cause to be sent twice
LEASE_SECONDS = 4


def require(condition: bool, why: str) -> None:
    """Skip locally when a part is missing; under CI the part must be there."""
    if not condition:
        if CI:
            pytest.fail(f"scale-out stack: {why} (CI=true)")
        pytest.skip(why)


def wait_until(predicate, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class SourceAdapter(HTTPAdapter):
    """Connections from a chosen loopback address (127.x.y.z), so a client can stand in for
    many networks: HAProxy puts that address in X-Forwarded-For."""

    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(source: str) -> requests.Session:
    session = requests.Session()
    adapter = SourceAdapter(source, max_retries=0)
    session.mount("http://", adapter)
    return session


def scratch_database_url() -> str:
    """A database of the scale-out test's own on TEST_DATABASE_URL's server."""
    return pg_url("scaleout")


def recreate_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


class Stack:
    def __init__(self, tmp: Path, database_url: str, smtp_port: int):
        self.tmp, self.database_url, self.smtp_port = tmp, database_url, smtp_port
        self.redis_port = free_port()
        self.lb_port = free_port()
        self.app_ports = [free_port(), free_port()]
        self.processes: dict[str, subprocess.Popen] = {}
        self.base = f"http://127.0.0.1:{self.lb_port}"
        self.logs = tmp / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    # --- environment of the app processes, as deploy/campaign.env.example describes ---
    def env(self, instance: str, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS_")}
        env.update(
            FLASK_APP="wsgi", DATABASE_URL=self.database_url, SECRET_KEY=SECRET,
            SITE_URL=self.base, REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(self.smtp_port),
            OUTBOX_INLINE="false", OUTBOX_BATCH_SIZE=str(BATCH_SIZE),
            OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS), OUTBOX_RETRY_BASE_SECONDS="1",
            TRUSTED_PROXIES="1", INSTANCE_PATH=str(self.tmp / instance),
            CAMPAIGN_PAGE_CACHE_SECONDS=str(CACHE_SECONDS), ABUSE_MIN_FILL_SECONDS="0",
            RATELIMIT_SIGN_PER_NETWORK=f"{NETWORK_LIMIT}/minute",
            RATELIMIT_SIGN_PER_DOMAIN="", RATELIMIT_SIGN_PER_EMAIL="5/hour",
            LOG_LEVEL="WARNING", METRICS_TOKEN="scaleout-metrics")
        env.update(extra)
        return env

    def _start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        # The child gets its own copy of the descriptor; ours can close at once.
        with open(self.logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log,
                                       start_new_session=True)
        self.processes[name] = process
        return process

    def start_redis(self):
        self._start("redis", ["redis-server", "--bind", "127.0.0.1", "--port",
                              str(self.redis_port), "--save", "", "--appendonly", "no",
                              "--dir", str(self.tmp)], dict(os.environ))
        assert wait_until(lambda: port_open(self.redis_port), 10), "redis did not start"

    def start_app(self, n: int):
        port = self.app_ports[n - 1]
        env = self.env(f"app{n}", GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2",
                       GUNICORN_THREADS="4")
        self._start(f"app{n}", [str(BIN / "gunicorn"), "-c", "python:campaign.gunicorn_conf",
                                "wsgi:app"], env)

    def wait_app(self, n: int, seconds: float = 60):
        url = f"http://127.0.0.1:{self.app_ports[n - 1]}/readyz"

        def ready():
            try:
                return requests.get(url, timeout=2).status_code == 200
            except requests.RequestException:
                return False
        assert wait_until(ready, seconds, 0.25), f"app{n} never became ready"

    def start_worker(self, n: int):
        self._start(f"worker{n}", [str(BIN / "flask"), "outbox", "work", "--idle", "0.2"],
                    self.env(f"worker{n}"))

    def start_haproxy(self):
        config = (ROOT / "deploy" / "haproxy.cfg").read_text()
        if os.geteuid() != 0:  # chroot and user switching need root; the rest is unchanged
            config = re.sub(r"^\s*(chroot|user|group) .*$", "", config, flags=re.M)
        path = self.tmp / "haproxy.cfg"
        path.write_text(config)
        env = dict(os.environ, CAMPAIGN_LISTEN=f"127.0.0.1:{self.lb_port}",
                   CAMPAIGN_APP1=f"127.0.0.1:{self.app_ports[0]}",
                   CAMPAIGN_APP2=f"127.0.0.1:{self.app_ports[1]}",
                   HAPROXY_SOCKET=str(self.tmp / "haproxy.sock"))
        # -db: stay in the foreground (no daemon) so this test owns and stops it.
        self._start("haproxy", [shutil.which("haproxy"), "-db", "-f", str(path)], env)
        assert wait_until(lambda: port_open(self.lb_port), 10), "haproxy did not start"

    def both_up_in_haproxy(self) -> bool:
        return self.haproxy_states() == {"app1": "UP", "app2": "UP"}

    def haproxy_states(self) -> dict[str, str]:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.tmp / "haproxy.sock"))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        states = {}
        for line in data.decode().splitlines():
            fields = line.split(",")
            if len(fields) > 17 and fields[0] == "apps" and fields[1].startswith("app"):
                states[fields[1]] = fields[17]
        return states

    def flask(self, *args: str, timeout: float = 120, **extra) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "flask"), *args], cwd=ROOT,
                              env=self.env("cli", **extra), capture_output=True, text=True,
                              timeout=timeout)

    def stop(self, name: str, sig=signal.SIGTERM, wait: float = 15) -> None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def kill_group(self, name: str) -> None:
        """SIGKILL a process and every process it started (gunicorn's workers too)."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        """SIGTERM to every process at once, then wait for each: their graceful stops overlap
        instead of adding up (one after another, the teardown took over 100 s)."""
        running = [process for process in self.processes.values() if process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in running:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


