"""partners: the tags of their campaign links (ref/utm_source)

Revision ID: 7c3a9e2b4f10
Revises: c4a7e2b91f3d
Create Date: 2026-11-30 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3a9e2b4f10'
down_revision = 'c4a7e2b91f3d'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table rebuild on SQLite): nothing else is touched.
    op.add_column('partners', sa.Column('ref_tags', sa.Text(), server_default='',
                                        nullable=False))


def downgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('ref_tags')
