"""items and kg per UTC month, point, category, source and status (or good grade), kept by triggers: the coordinators' dashboard

Revision ID: c4d7e1f2a9b3
Revises: aae6a095f549
Create Date: 2026-11-27 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# The triggers' statements live with the model, so that a schema made without migrations (tests) has the
# very same ones.
from intake.models.tallies import (drop_intake_quality_triggers, drop_intake_tally_triggers, intake_quality_triggers,
                                   intake_tally_backfill, intake_tally_triggers)
from intake.scoping import enable_row_level_security


# revision identifiers, used by Alembic.
revision = 'c4d7e1f2a9b3'
down_revision = 'aae6a095f549'
branch_labels = None
depends_on = None


def _create(table, last):
    op.create_table(
        table,
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('collection_point_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.Integer(), nullable=False),
        last,
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('kg', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f(f'fk_{table}_category_id_category')),
        sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'],
                                name=op.f(f'fk_{table}_collection_point_id_collection_point')),
        sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f(f'fk_{table}_structure_id_structure')),
        sa.PrimaryKeyConstraint('structure_id', 'month', 'collection_point_id', 'category_id', 'source_key',
                                last.name, name=op.f(f'pk_{table}')),
    )


def upgrade():
    _create('intake_tally', sa.Column('status', sa.String(length=16), nullable=False))
    _create('intake_quality', sa.Column('good', sa.Boolean(), nullable=False))
    dialect = op.get_bind().dialect.name
    for table, triggers in (('intake_tally', intake_tally_triggers), ('intake_quality', intake_quality_triggers)):
        # What was logged before this migration, by the same rule as the triggers (before the wall goes up).
        op.execute(intake_tally_backfill(table, dialect))
        for statement in triggers(dialect):
            op.execute(statement)
    enable_row_level_security(op.get_bind(), ['intake_tally', 'intake_quality'])


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in drop_intake_tally_triggers(dialect) + drop_intake_quality_triggers(dialect):
        op.execute(statement)
    op.drop_table('intake_quality')
    op.drop_table('intake_tally')
