"""Landlord access log: one row per list or export, naming the handovers it showed

Rows written before stay as they are: one per handover shown, the id in object_ref.

Revision ID: 260274c13d7d
Revises: 6298467623cd
Create Date: 2026-11-26 16:52:58.221717

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '260274c13d7d'
down_revision = '6298467623cd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('landlord_access', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_ids', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('landlord_access', schema=None) as batch_op:
        batch_op.drop_column('shown_ids')
