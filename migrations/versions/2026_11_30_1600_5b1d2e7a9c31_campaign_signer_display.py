"""signer display default, latest-signers switch, text review notes, signer reminder

Revision ID: 5b1d2e7a9c31
Revises: 5a1e7c3d9b21
Create Date: 2026-11-30 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1d2e7a9c31'
down_revision = '5a1e7c3d9b21'
branch_labels = None
depends_on = None


def upgrade():
    # Existing campaigns get the least-exposure default too (docs/security.md).
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_display', sa.String(length=10),
                                      server_default='initial', nullable=False))
        batch_op.add_column(sa.Column('show_recent_signers', sa.Boolean(),
                                      server_default='1', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_campaigns_default_display'),
            "default_display IN ('full', 'initial', 'anonymous')")
    with op.batch_alter_table('campaign_texts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_note', sa.String(length=300), nullable=True))
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
    with op.batch_alter_table('campaign_texts', schema=None) as batch_op:
        batch_op.drop_column('review_note')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_default_display'), type_='check')
        batch_op.drop_column('show_recent_signers')
        batch_op.drop_column('default_display')
