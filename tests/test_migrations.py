"""`flask db upgrade` builds the schema from nothing, and models and migrations never drift."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from campaign.extensions import db
from campaign.petitions.search import keep_in_schema_compare


def test_models_and_migrations_match(app):
    # The `app` fixture's database was built by running every migration.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True,
                              # the search indexes only the migration knows (search.py)
                              "include_object": keep_in_schema_compare})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from migrations: {differences}"


def test_downgrade_to_nothing_and_back(app):
    from flask_migrate import downgrade, upgrade

    downgrade(revision="base")
    with db.engine.connect() as connection:
        assert set(db.inspect(connection).get_table_names()) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as connection:
        assert "signatures" in db.inspect(connection).get_table_names()


def test_the_search_triggers_survive_every_migration(app):
    """On SQLite a migration that alters `signatures` rebuilds the table (batch mode) and drops
    its triggers; the search index's triggers must exist after the whole chain (the search
    migration comes last, and a later one that rebuilds the table must recreate them)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL alters tables in place: its indexes stay")
    with db.engine.connect() as connection:
        triggers = set(connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
    # New signatures are indexed after signing (search.catch_up_index), not by a trigger.
    assert {"signature_search_ad", "signature_search_au"} <= triggers
    assert "signature_search_ai" not in triggers


BEFORE_CATCH_UP = "f1c8a3d5e7b2"  # the revision whose insert trigger indexed each signature


def _fts(sql: str, **params):
    return db.session.execute(db.text(sql), params)


def _indexed(word: str) -> set[int]:
    return set(_fts("SELECT rowid FROM signature_search WHERE signature_search MATCH :q",
                    q=f'"{word}"').scalars())


def test_indexing_after_signing_migrates_both_ways_with_signatures_in_place(app):
    """Signatures indexed under the old trigger stay findable after the upgrade (the mark
    starts at the newest); signatures still waiting are indexed by the downgrade."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL: the migration changes nothing there")
    from flask_migrate import downgrade, upgrade

    from tests.factories import make_campaign, make_signature

    downgrade(revision=BEFORE_CATCH_UP)
    try:
        campaign = make_campaign()
        old = make_signature(campaign, full_name="Earlier Signer")
        db.session.commit()
        upgrade()
        assert _indexed("earlier") == {old.id}
        assert _fts("SELECT indexed_through FROM signature_search_state").scalar() == old.id
        waiting = make_signature(campaign, full_name="Later Signer")
        assert _indexed("later") == set()
        db.session.commit()
        downgrade(revision=BEFORE_CATCH_UP)
        assert _indexed("later") == {waiting.id} and _indexed("earlier") == {old.id}
        _fts("INSERT INTO signature_search(signature_search) VALUES ('integrity-check')")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names())
        assert "signature_search_state" not in tables
        newest = make_signature(campaign, full_name="Triggered Signer")
        assert _indexed("triggered") == {newest.id}  # the old insert trigger is back
        db.session.commit()
    finally:
        db.session.rollback()
        upgrade()
