"""/readyz: 200 when the database (and Redis, when configured) answer, 503 when either is gone;
/healthz beside it only says the process is alive and its database answers."""
import shutil
import subprocess
import time

import pytest
import redis

from campaign.extensions import db
from tests.conftest import free_port, make_app


def test_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").status_code == 200


def test_not_ready_when_the_database_port_is_dead(tmp_path):
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    app = make_app(dead, tmp_path / "instance",
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}})
    with app.app_context():
        response = app.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "down"}}


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own on a free loopback port (stopped by the test)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                                "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield process, port
    if process.poll() is None:
        process.terminate()
        process.wait(10)


def test_ready_follows_redis_when_it_is_configured(app, own_redis):
    process, port = own_redis
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}

    process.terminate()
    process.wait(10)
    started = time.monotonic()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis": "down"}
    assert time.monotonic() - started < 3  # a dead Redis is noticed fast, not hung on
    # Liveness is not readiness: the process is alive and its database answers.
    assert client.get("/healthz").status_code == 200
