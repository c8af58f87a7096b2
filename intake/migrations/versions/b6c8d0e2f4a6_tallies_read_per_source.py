"""one source's rows of the intake tallies read through an index (a partner's page and report)

Revision ID: b6c8d0e2f4a6
Revises: a5b7c9d1e3f5
Create Date: 2026-11-27 09:55:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b6c8d0e2f4a6'
down_revision = 'a5b7c9d1e3f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_intake_tally_source', 'intake_tally', ['structure_id', 'source_key', 'month'], unique=False)
    op.create_index('ix_intake_quality_source', 'intake_quality', ['structure_id', 'source_key', 'month'],
                    unique=False)


def downgrade():
    op.drop_index('ix_intake_quality_source', table_name='intake_quality')
    op.drop_index('ix_intake_tally_source', table_name='intake_tally')
