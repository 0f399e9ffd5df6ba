"""PostgreSQL unreachable: requests fail fast with a 503, nothing half-written, then the site
recovers by itself when the database is back."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from campaign.extensions import db
from tests.conftest import make_app, wipe
from tests.factories import make_campaign
from tests.faults.conftest import CuttableProxy
from tests.forms_util import sign_post


@pytest.fixture
def proxied_app(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    url = make_url(database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port)
    app = make_app(proxied.render_as_string(hide_password=False), tmp_path / "inst",
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True,
                                              "connect_args": {"connect_timeout": 3}})
    # No app context held by the test: each request gets its own, as under gunicorn.
    yield app, proxy
    if proxy.listener.fileno() == -1:
        proxy.restore()
    with app.app_context():
        db.engine.dispose()
    direct = create_engine(database_url)
    with direct.begin() as conn:  # connections the cut left hanging must not block the wipe
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                          "datname = current_database() AND pid <> pg_backend_pid()"))
    with app.app_context():
        wipe(direct)
    direct.dispose()


def signatures_in(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM signatures")).scalar()
        outbox = conn.execute(text("SELECT count(*) FROM outbox_messages")).scalar()
    engine.dispose()
    return count, outbox


def test_database_outage_gives_fast_503s_then_recovers(proxied_app, database_url):
    app, proxy = proxied_app
    with app.app_context():
        campaign = make_campaign()
        slug = campaign.slug
        db.session.remove()
    client = app.test_client()
    assert sign_post(client, campaign, email="before@example.org").status_code == 303
    page = client.get(f"/en/c/{slug}").get_data(as_text=True)  # keep a CSRF token
    from tests.forms_util import SIGN_FORM, hidden_inputs
    form = dict(SIGN_FORM, **hidden_inputs(page))

    proxy.cut()

    def attempt(n):
        started = time.monotonic()
        with app.test_client() as c:
            with c.session_transaction() as session:
                session.update(client_session)
            if n % 2:
                response = c.get(f"/en/c/{slug}")
            else:
                response = c.post(f"/en/c/{slug}/sign",
                                  data=dict(form, email=f"during{n}@example.org"))
        return response.status_code, response.headers.get("Retry-After"), (
            time.monotonic() - started), response.get_data(as_text=True)

    with client.session_transaction() as session:
        client_session = dict(session)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(attempt, range(16)))
    assert {status for status, *_ in results} == {503}
    assert all(retry == "5" for _, retry, *_ in results)
    assert max(seconds for _, _, seconds, _ in results) < 5
    assert "briefly unavailable" in results[0][3]
    assert signatures_in(database_url) == (1, 1)  # nothing from the outage, nothing half-saved

    proxy.restore()
    # No restart, no manual step: the pool's pre-ping replaces the dead connections.
    assert client.get(f"/en/c/{slug}").status_code == 200
    assert sign_post(client, campaign, email="after@example.org").status_code == 303
    assert signatures_in(database_url) == (2, 2)
