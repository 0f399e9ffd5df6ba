"""The suite's parallel run (pytest-xdist): the machine-loading group names tests that exist
(a renamed test would otherwise quietly run beside the others), and each worker has a
database of its own."""
import re
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.conftest import MACHINE_GROUP, pg_url

ROOT = Path(__file__).resolve().parents[1]


def test_every_machine_group_prefix_names_existing_tests():
    for prefix in MACHINE_GROUP:
        path, _, name = prefix.partition("::")
        assert (ROOT / path).exists(), prefix
        if name:
            source = (ROOT / path).read_text()
            assert re.search(rf"^def {re.escape(name)}", source, re.MULTILINE), prefix


def test_each_worker_has_its_own_postgresql_databases(monkeypatch):
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert make_url(pg_url()).database == "test"
    assert make_url(pg_url("backup")).database == "test_backup"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert make_url(pg_url()).database == "test_gw1"
    assert make_url(pg_url("backup")).database == "test_backup_gw1"
    assert pg_url().startswith("postgresql+psycopg://postgres@127.0.0.1:5432/")
