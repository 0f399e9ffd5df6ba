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
    assert {"signature_search_ai", "signature_search_ad", "signature_search_au"} <= triggers
