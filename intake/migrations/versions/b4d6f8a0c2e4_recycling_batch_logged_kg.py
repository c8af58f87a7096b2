"""a closed recycling batch keeps its items' logged total (what a weight measured at pickup is shared by)

Revision ID: b4d6f8a0c2e4
Revises: a3c5e7f9b1d2
Create Date: 2026-11-27 07:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b4d6f8a0c2e4'
down_revision = 'a3c5e7f9b1d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recycling_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logged_kg', sa.Numeric(precision=12, scale=3), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT set_config('intake.scope', 'all', true)")  # every structure's batches, on purpose
    op.execute("UPDATE recycling_batch SET logged_kg = (SELECT coalesce(sum(item.weight_kg), 0) FROM item "
               "WHERE item.recycling_batch_id = recycling_batch.id) WHERE state = 'closed'")


def downgrade():
    with op.batch_alter_table('recycling_batch', schema=None) as batch_op:
        batch_op.drop_column('logged_kg')
