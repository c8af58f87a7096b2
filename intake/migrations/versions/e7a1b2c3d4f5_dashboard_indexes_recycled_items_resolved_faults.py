"""dashboard indexes: a batch's items with the recycled figures' columns, faults by resolution time

Revision ID: e7a1b2c3d4f5
Revises: d5e8f2a3b4c6
Create Date: 2026-11-27 02:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7a1b2c3d4f5'
down_revision = 'd5e8f2a3b4c6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index('ix_item_batch_figures', ['recycling_batch_id', 'category_id', 'collection_point_id',
                                                        'source_id', 'status', 'created_at', 'weight_kg'], unique=False)
        batch_op.drop_index('ix_item_recycling_batch_id')
    with op.batch_alter_table('fault_ticket', schema=None) as batch_op:
        batch_op.create_index('ix_fault_ticket_resolved_at', ['resolved_at'], unique=False)


def downgrade():
    with op.batch_alter_table('fault_ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_fault_ticket_resolved_at')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index('ix_item_recycling_batch_id', ['recycling_batch_id'], unique=False)
        batch_op.drop_index('ix_item_batch_figures')
