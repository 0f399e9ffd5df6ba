"""console: fast signature search (pg_trgm GIN indexes; an FTS5 table on SQLite)

Revision ID: 5d2e8c1f0a9b
Revises: f448d67fd3d9
Create Date: 2026-11-30 17:00:00

Models do not describe these objects (campaign/petitions/search.py DATABASE_ONLY).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d2e8c1f0a9b'
down_revision = 'f448d67fd3d9'
branch_labels = None
depends_on = None

FTS = "signature_search"
TRIGGERS = {
    # External-content FTS5: the triggers hand it each row's old and new words.
    "signature_search_ai": f"""AFTER INSERT ON signatures BEGIN
        INSERT INTO {FTS}(rowid, full_name, email) VALUES (new.id, new.full_name, new.email);
        END""",
    "signature_search_ad": f"""AFTER DELETE ON signatures BEGIN
        INSERT INTO {FTS}({FTS}, rowid, full_name, email)
        VALUES ('delete', old.id, old.full_name, old.email);
        END""",
    "signature_search_au": f"""AFTER UPDATE OF full_name, email ON signatures BEGIN
        INSERT INTO {FTS}({FTS}, rowid, full_name, email)
        VALUES ('delete', old.id, old.full_name, old.email);
        INSERT INTO {FTS}(rowid, full_name, email) VALUES (new.id, new.full_name, new.email);
        END""",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX IF NOT EXISTS ix_signatures_full_name_trgm ON signatures "
                   "USING gin (lower(full_name) gin_trgm_ops)")
        op.execute("CREATE INDEX IF NOT EXISTS ix_signatures_email_trgm ON signatures "
                   "USING gin (lower(email) gin_trgm_ops)")
    elif dialect == "sqlite":
        # prefix='2 3 4 5 6': prefix indexes, so "petr"* reads one list of rows lazily, as
        # a whole word does, instead of merging every token that starts so (300 ms for a
        # prefix a million signers share, 0.2 ms this way; bench/RESULTS.md).
        op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(full_name, email, "
                   "content='signatures', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6')")
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_signatures_email_trgm")
        op.execute("DROP INDEX IF EXISTS ix_signatures_full_name_trgm")
        # The extension stays: other schemas in the database may use it.
    elif dialect == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
