"""recycling batches hold one stream (a WEEE flow, or other waste)

Revision ID: e59ecd582054
Revises: 0e36c59ba16e
Create Date: 2026-11-26 16:21:49.759760

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e59ecd582054'
down_revision = '0e36c59ba16e'
branch_labels = None
depends_on = None

STREAMS = ('cooling', 'large', 'small', 'screens', 'lamps', 'pv_panels', 'other')


def upgrade():
    with op.batch_alter_table('recycling_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stream', sa.String(length=16), nullable=True))
    # Batches made before streams existed: the stream their waste code names (20 01 36 was the form's
    # default, for small appliances), "other" for a code that is not WEEE.
    op.execute("""
        UPDATE recycling_batch SET stream = CASE
            WHEN replace(waste_code, ' ', '') LIKE '200123%' THEN 'cooling'
            WHEN replace(waste_code, ' ', '') LIKE '200121%' THEN 'lamps'
            WHEN replace(waste_code, ' ', '') LIKE '200135%' THEN 'small'
            WHEN replace(waste_code, ' ', '') LIKE '200136%' THEN 'small'
            WHEN replace(waste_code, ' ', '') LIKE '1602%' THEN 'small'
            ELSE 'other' END
    """)
    with op.batch_alter_table('recycling_batch', schema=None) as batch_op:
        batch_op.alter_column('stream', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_check_constraint('stream', "stream IN (" + ", ".join(f"'{s}'" for s in STREAMS) + ")")


def downgrade():
    with op.batch_alter_table('recycling_batch', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_recycling_batch_stream'), type_='check')
        batch_op.drop_column('stream')
