"""Fixtures for language tests: an app that loads catalogs compiled fresh from the .po files.

Rendering tests here read catalogs compiled into a temporary folder, so they test the .po
files as they are, whatever a developer last compiled. Whether translations/*/*.mo (what the
running app loads) is missing or stale is one test's job: test_catalogs.py. Nothing here
writes into translations/, so no fixture can hide a stale .mo.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from campaign.extensions import db
from campaign.outbox.transports import MemoryTransport
from tests.conftest import make_app, wipe

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory) -> Path:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = tmp_path_factory.mktemp("translations")
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        out = target / po_path.relative_to(TRANSLATIONS)
        out.parent.mkdir(parents=True)
        shutil.copy(po_path, out)
        with po_path.open("rb") as fp:
            catalog = read_po(fp)
        with out.with_suffix(".mo").open("wb") as fp:
            write_mo(fp, catalog)
    return target


@pytest.fixture
def app(database_url, tmp_path, compiled_translations):
    app = make_app(database_url, tmp_path / "instance",
                   BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations))
    MemoryTransport.sent.clear()
    with app.app_context():
        yield app
        db.session.remove()
        wipe(db.engine)
        db.engine.dispose()
