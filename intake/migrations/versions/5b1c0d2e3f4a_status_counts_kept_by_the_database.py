"""items per status in each structure, kept by triggers: the workshop's queue tabs; the queue's index

Revision ID: 5b1c0d2e3f4a
Revises: 3f8a9c2d1b7e
Create Date: 2026-11-26 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

# The triggers' statements live with the model, so that a schema made without migrations (tests) has the
# very same ones.
from intake.models.tallies import drop_status_count_triggers, status_count_triggers
from intake.scoping import enable_row_level_security


# revision identifiers, used by Alembic.
revision = '5b1c0d2e3f4a'
down_revision = '3f8a9c2d1b7e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'status_count',
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_status_count_structure_id_structure')),
        sa.PrimaryKeyConstraint('structure_id', 'status', name=op.f('pk_status_count')),
    )
    # What is there before this migration, by the same rule as the triggers (before the wall goes up).
    op.execute("INSERT INTO status_count (structure_id, status, items) "
               "SELECT structure_id, status, count(*) FROM item GROUP BY structure_id, status")
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index('ix_item_queue', ['structure_id', 'status', 'status_changed_at', 'id'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in status_count_triggers(dialect):
        op.execute(statement)
    enable_row_level_security(op.get_bind(), ['status_count'])


def downgrade():
    for statement in drop_status_count_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('status_count')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index('ix_item_queue')
