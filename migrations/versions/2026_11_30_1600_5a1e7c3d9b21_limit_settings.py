"""rate-limit settings row (console-editable limits and allow-listed networks)

Revision ID: 5a1e7c3d9b21
Revises: 5e1c0a7f3b21
Create Date: 2026-11-30 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1e7c3d9b21'
down_revision = '5e1c0a7f3b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('limit_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sign_per_address', sa.String(length=100), nullable=True),
    sa.Column('sign_per_network', sa.String(length=100), nullable=True),
    sa.Column('sign_per_email', sa.String(length=100), nullable=True),
    sa.Column('sign_per_domain', sa.String(length=100), nullable=True),
    sa.Column('allowed_networks', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_limit_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_limit_settings'))
    )


def downgrade():
    op.drop_table('limit_settings')
