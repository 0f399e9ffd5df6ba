"""updates: segment, schedule, test send, recipients

Revision ID: 5b1e0c7d2a94
Revises: 2424c17dec09
Create Date: 2026-11-30 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d2a94'
down_revision = '2424c17dec09'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segment', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('scheduled_for', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('test_sent_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaign_updates_scheduled_for'),
                              ['scheduled_for'], unique=False)
    op.execute("UPDATE campaign_updates SET segment = '{}'")
    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.alter_column('segment', existing_type=sa.JSON(), nullable=False)

    op.create_table('campaign_update_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_messages.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['update_id'], ['campaign_updates.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('update_id', 'signature_id', name='uq_update_recipient')
    )
    with op.batch_alter_table('campaign_update_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_update_recipients_update_id'),
                              ['update_id'], unique=False)


def downgrade():
    with op.batch_alter_table('campaign_update_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_update_recipients_update_id'))
    op.drop_table('campaign_update_recipients')
    with op.batch_alter_table('campaign_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_updates_scheduled_for'))
        batch_op.drop_column('test_sent_at')
        batch_op.drop_column('scheduled_for')
        batch_op.drop_column('segment')
