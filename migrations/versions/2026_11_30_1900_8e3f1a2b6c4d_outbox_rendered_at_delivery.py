"""outbox: messages rendered at delivery (template language and the record they are about)

Revision ID: 8e3f1a2b6c4d
Revises: 7c3a9e2b4f10
Create Date: 2026-11-30 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e3f1a2b6c4d'
down_revision = '7c3a9e2b4f10'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable, no default): no table rebuild on SQLite.
    op.add_column('outbox_messages', sa.Column('render_lang', sa.String(length=8), nullable=True))
    op.add_column('outbox_messages', sa.Column('render_ref', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('render_ref')
        batch_op.drop_column('render_lang')
