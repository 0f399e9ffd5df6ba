"""`flask db upgrade` builds the schema from nothing, and models and migrations never drift."""
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
