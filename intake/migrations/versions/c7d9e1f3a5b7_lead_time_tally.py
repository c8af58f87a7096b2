"""lead times counted per stage, UTC month and tenth of a day, kept by triggers: the dashboard's percentiles

Revision ID: c7d9e1f3a5b7
Revises: b6c8d0e2f4a6
Create Date: 2026-11-27 10:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# The triggers' statements live with the model, so that a schema made without migrations (tests) has the
# very same ones.
from intake.models.reporting import (drop_lead_time_tally_triggers, lead_time_tally_backfill,
                                     lead_time_tally_triggers)
from intake.scoping import enable_row_level_security


# revision identifiers, used by Alembic.
revision = 'c7d9e1f3a5b7'
down_revision = 'b6c8d0e2f4a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lead_time_tally',
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('tenths', sa.Integer(), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['structure_id'], ['structure.id'],
                                name=op.f('fk_lead_time_tally_structure_id_structure')),
        sa.PrimaryKeyConstraint('structure_id', 'stage', 'month', 'tenths', name=op.f('pk_lead_time_tally')),
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("SELECT set_config('intake.scope', 'all', true)")  # every structure's measures, on purpose
    op.execute(lead_time_tally_backfill(dialect))
    for statement in lead_time_tally_triggers(dialect):
        op.execute(statement)
    enable_row_level_security(op.get_bind(), ['lead_time_tally'])


def downgrade():
    for statement in drop_lead_time_tally_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('lead_time_tally')
