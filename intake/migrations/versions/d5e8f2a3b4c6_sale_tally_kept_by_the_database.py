"""sales, kg and revenue per month sold, channel and the item's point, category and source, kept by triggers: the dashboard's sales

Revision ID: d5e8f2a3b4c6
Revises: c4d7e1f2a9b3
Create Date: 2026-11-27 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# The triggers' statements live with the model, so that a schema made without migrations (tests) has the
# very same ones.
from intake.models.tallies import drop_sale_tally_triggers, sale_tally_backfill, sale_tally_triggers
from intake.scoping import enable_row_level_security


# revision identifiers, used by Alembic.
revision = 'd5e8f2a3b4c6'
down_revision = 'c4d7e1f2a9b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sale_tally',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('collection_point_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('sales', sa.Integer(), nullable=False),
        sa.Column('kg', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('revenue', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_sale_tally_category_id_category')),
        sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'],
                                name=op.f('fk_sale_tally_collection_point_id_collection_point')),
        sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_sale_tally_structure_id_structure')),
        sa.PrimaryKeyConstraint('structure_id', 'month', 'collection_point_id', 'category_id', 'source_key', 'channel',
                                name=op.f('pk_sale_tally')),
    )
    dialect = op.get_bind().dialect.name
    # What was sold before this migration, by the same rule as the triggers (before the wall goes up).
    op.execute(sale_tally_backfill(dialect))
    for statement in sale_tally_triggers(dialect):
        op.execute(statement)
    enable_row_level_security(op.get_bind(), ['sale_tally'])


def downgrade():
    for statement in drop_sale_tally_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('sale_tally')
