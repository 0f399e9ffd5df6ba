"""campaigns: a photo per campaign (re-encoded JPEG, a small copy, alt text per language)

Revision ID: c4a7e2b91f3d
Revises: 5d2e8c1f0a9b
Create Date: 2026-11-30 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a7e2b91f3d'
down_revision = '5d2e8c1f0a9b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_images',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('jpeg', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('small_jpeg', sa.LargeBinary(), nullable=False),
    sa.Column('small_width', sa.Integer(), nullable=False),
    sa.Column('small_height', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.Column('alt', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_images_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_campaign_images'))
    )


def downgrade():
    op.drop_table('campaign_images')
