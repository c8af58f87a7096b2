"""a partner's items of a period read from their index alone: status, batch and weight added to it

Revision ID: a5b7c9d1e3f5
Revises: f3c5e7a9b1d4
Create Date: 2026-11-27 09:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a5b7c9d1e3f5'
down_revision = 'f3c5e7a9b1d4'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_item_source_created', table_name='item')
    op.create_index('ix_item_source_created', 'item',
                    ['source_id', 'created_at', 'status', 'recycling_batch_id', 'weight_kg'], unique=False)


def downgrade():
    op.drop_index('ix_item_source_created', table_name='item')
    op.create_index('ix_item_source_created', 'item', ['source_id', 'created_at'], unique=False)
