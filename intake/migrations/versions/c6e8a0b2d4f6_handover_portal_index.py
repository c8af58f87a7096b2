"""the landlord portal's order in an index (a page of handovers without sorting them all)

Revision ID: c6e8a0b2d4f6
Revises: b4d6f8a0c2e4
Create Date: 2026-11-27 07:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6e8a0b2d4f6'
down_revision = 'b4d6f8a0c2e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index('ix_handover_portal', ['landlord_id', 'structure_id', 'residence', 'tenant_ref', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index('ix_handover_portal')
