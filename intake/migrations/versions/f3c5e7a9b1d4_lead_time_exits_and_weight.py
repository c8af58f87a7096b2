"""dismantlings and returns written with the lead times, every row with its item's weight: the dashboard counts them from one index

Revision ID: f3c5e7a9b1d4
Revises: e2b4d6f8a0c3
Create Date: 2026-11-27 09:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# The triggers' statements live with the model, so that a schema made without migrations (tests) has the
# very same ones.
from intake.models.reporting import drop_lead_time_triggers, lead_time_exits_backfill, lead_time_triggers


# revision identifiers, used by Alembic.
revision = 'f3c5e7a9b1d4'
down_revision = 'e2b4d6f8a0c3'
branch_labels = None
depends_on = None

BEFORE = ['structure_id', 'stage', 'at', 'collection_point_id', 'category_id', 'source_id', 'days']


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in drop_lead_time_triggers(dialect):
        op.execute(statement)
    op.add_column('lead_time', sa.Column('weight_kg', sa.Numeric(precision=9, scale=3), nullable=True))
    with op.batch_alter_table('lead_time', schema=None) as batch_op:  # "dismantled" is longer than 8
        batch_op.alter_column('stage', type_=sa.String(length=16), existing_type=sa.String(length=8),
                              existing_nullable=False)
    if dialect == 'postgresql':
        op.execute("SELECT set_config('intake.scope', 'all', true)")  # every structure's rows, on purpose
    for statement in lead_time_exits_backfill(dialect):
        op.execute(statement)
    op.drop_index('ix_lead_time_scope', table_name='lead_time')
    op.create_index('ix_lead_time_scope', 'lead_time', [*BEFORE, 'weight_kg'], unique=False)
    for statement in lead_time_triggers(dialect, structure=True, exits=True):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in drop_lead_time_triggers(dialect):
        op.execute(statement)
    op.execute("DELETE FROM lead_time WHERE stage IN ('dismantled', 'returned')")
    op.drop_index('ix_lead_time_scope', table_name='lead_time')
    op.create_index('ix_lead_time_scope', 'lead_time', BEFORE, unique=False)
    with op.batch_alter_table('lead_time', schema=None) as batch_op:
        batch_op.drop_column('weight_kg')
        batch_op.alter_column('stage', type_=sa.String(length=8), existing_type=sa.String(length=16),
                              existing_nullable=False)
    for statement in lead_time_triggers(dialect, structure=True, exits=False):
        op.execute(statement)
