"""lead times read per structure: the structure first in the dashboard's covering index

Revision ID: f1b2c3d4e5a6
Revises: e7a1b2c3d4f5
Create Date: 2026-11-27 04:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1b2c3d4e5a6'
down_revision = 'e7a1b2c3d4f5'
branch_labels = None
depends_on = None

COLUMNS = ['stage', 'at', 'collection_point_id', 'category_id', 'source_id', 'days']


def upgrade():
    with op.batch_alter_table('lead_time', schema=None) as batch_op:
        batch_op.create_index('ix_lead_time_scope', ['structure_id', *COLUMNS], unique=False)
        batch_op.drop_index('ix_lead_time_stage_at')


def downgrade():
    with op.batch_alter_table('lead_time', schema=None) as batch_op:
        batch_op.create_index('ix_lead_time_stage_at', COLUMNS, unique=False)
        batch_op.drop_index('ix_lead_time_scope')
