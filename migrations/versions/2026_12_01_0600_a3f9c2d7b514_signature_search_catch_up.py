"""console search on SQLite: index new signatures later, not in the sign's transaction

Revision ID: a3f9c2d7b514
Revises: f1c8a3d5e7b2
Create Date: 2026-12-01 06:00:00

The FTS5 insert trigger was half of SQLite's work per signature (issue #18). New signatures
are now indexed in batches by petitions/search.py catch_up_index (before a console search,
and from the outbox worker's loop); `signature_search_state.indexed_through` is the highest
id indexed. Every id up to it is in the index, none above it is: the delete and update
triggers touch the index only for ids up to it (an external-content FTS5 'delete' of a row
it never held corrupts it), and a row not yet indexed is indexed later with its values then.
The delete trigger also lowers the mark when the newest signatures are deleted: SQLite hands
their ids out again (no AUTOINCREMENT), and a new row must land above the mark.

PostgreSQL: nothing (its trigram indexes are maintained by the database itself). A later
migration that rebuilds `signatures` on SQLite (batch mode) must recreate TRIGGERS.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3f9c2d7b514'
down_revision = 'f1c8a3d5e7b2'
branch_labels = None
depends_on = None

FTS = "signature_search"
STATE = "signature_search_state"
INDEXED = f"(SELECT indexed_through FROM {STATE})"
TRIGGERS = {
    # For every deleted row, in this order: out of the index if it was in it; then the mark
    # down to the newest row left, also when the row deleted was never indexed (deleting
    # the unindexed newest rows must not leave the mark above ids SQLite will reuse).
    "signature_search_ad": f"""AFTER DELETE ON signatures BEGIN
        INSERT INTO {FTS}({FTS}, rowid, full_name, email)
        SELECT 'delete', old.id, old.full_name, old.email WHERE old.id <= {INDEXED};
        UPDATE {STATE} SET indexed_through = (SELECT coalesce(max(id), 0) FROM signatures)
        WHERE indexed_through > (SELECT coalesce(max(id), 0) FROM signatures);
        END""",
    "signature_search_au": f"""AFTER UPDATE OF full_name, email ON signatures
        WHEN old.id <= {INDEXED} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, full_name, email)
        VALUES ('delete', old.id, old.full_name, old.email);
        INSERT INTO {FTS}(rowid, full_name, email) VALUES (new.id, new.full_name, new.email);
        END""",
}
# The revision before this one (2026_11_30_1700_..._signature_search_indexes.py).
OLD_TRIGGERS = {
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
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"CREATE TABLE {STATE} (indexed_through INTEGER NOT NULL)")
    # The insert trigger kept the index whole until now: it holds every signature.
    op.execute(f"INSERT INTO {STATE} (indexed_through) "
               "SELECT coalesce(max(id), 0) FROM signatures")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"DROP TABLE IF EXISTS {STATE}")
    # Index what was still waiting: 'rebuild' reads every row from `signatures` again.
    op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    for name, body in OLD_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
