"""letters: target names in every language, default offer, who verified, unchecked letters,
letters test/live mode

Revision ID: b7e1c4a9d2f3
Revises: 28aec4b37af8
Create Date: 2026-11-30 16:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1c4a9d2f3'
down_revision = '28aec4b37af8'
branch_labels = None
depends_on = None

OLD = "status IN ('unconfirmed', 'queued', 'held', 'digested', 'manual')"
NEW = "status IN ('unconfirmed', 'queued', 'held', 'digested', 'manual', 'unchecked')"


def upgrade():
    op.create_table('letters_mode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('live', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letters_mode'))
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_by', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('offered_by_default', sa.Boolean(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))
    op.execute("UPDATE targets SET offered_by_default = "
               + ("false" if op.get_bind().dialect.name == "postgresql" else "0")
               + " WHERE short_id IN ('coe_commissioner', 'coe_fcnm_acfc')")
    op.execute("UPDATE targets SET translations = '{}'")
    # The WGAD row's source was a mirror on a test host of OHCHR's complaints page
    # (/work/shared/data/README.md, correction of 2026-11-30): name OHCHR's own page.
    op.execute("UPDATE targets SET source_url = "
               "'https://www.ohchr.org/EN/Issues/Detention/Pages/Complaints.aspx' "
               "WHERE source_url LIKE '%test.ohchr.un-icc.cloud%'")
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.alter_column('translations', existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_letters_status'), type_='check')
        batch_op.create_check_constraint('status', NEW)


def downgrade():
    op.execute("UPDATE letters SET status = 'unconfirmed' WHERE status = 'unchecked'")
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_letters_status'), type_='check')
        batch_op.create_check_constraint('status', OLD)
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_column('translations')
        batch_op.drop_column('offered_by_default')
        batch_op.drop_column('verified_by')
    op.drop_table('letters_mode')
