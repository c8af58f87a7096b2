"""the intake tally read per status and category (the items waiting to be recycled, per stream)

Revision ID: a3c5e7f9b1d2
Revises: f1b2c3d4e5a6
Create Date: 2026-11-27 07:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3c5e7f9b1d2'
down_revision = 'f1b2c3d4e5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intake_tally', schema=None) as batch_op:
        batch_op.create_index('ix_intake_tally_status', ['structure_id', 'status', 'category_id', 'items'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('intake_tally', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_tally_status')
