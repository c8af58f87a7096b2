"""pre-printed runs' index holds their codes only (SQLite judged an index of nearly all NULLs useless)

Revision ID: d8f0b2c4e6a8
Revises: c6e8a0b2d4f6
Create Date: 2026-11-27 07:35:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8f0b2c4e6a8'
down_revision = 'c6e8a0b2d4f6'
branch_labels = None
depends_on = None

NOT_NULL = sa.text('batch IS NOT NULL')


def upgrade():
    with op.batch_alter_table('issued_code', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_code_batch')
        batch_op.create_index('ix_issued_code_batch', ['batch'], unique=False, sqlite_where=NOT_NULL,
                              postgresql_where=NOT_NULL)


def downgrade():
    with op.batch_alter_table('issued_code', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_code_batch')
        batch_op.create_index('ix_issued_code_batch', ['batch'], unique=False)
