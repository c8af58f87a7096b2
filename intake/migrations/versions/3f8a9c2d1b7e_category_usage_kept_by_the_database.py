"""category usage per collection point and day, kept by triggers: the intake tiles' "most used lately" order

Revision ID: 3f8a9c2d1b7e
Revises: d1a2b3c4e5f6
Create Date: 2026-11-26 22:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

# The triggers' statements live with the model, so that a schema made without migrations (tests) has the
# very same ones.
from intake.models.tallies import category_usage_triggers, drop_category_usage_triggers
from intake.scoping import enable_row_level_security


# revision identifiers, used by Alembic.
revision = '3f8a9c2d1b7e'
down_revision = 'd1a2b3c4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'category_usage',
        sa.Column('collection_point_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_category_usage_category_id_category')),
        sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'],
                                name=op.f('fk_category_usage_collection_point_id_collection_point')),
        sa.ForeignKeyConstraint(['structure_id'], ['structure.id'],
                                name=op.f('fk_category_usage_structure_id_structure')),
        sa.PrimaryKeyConstraint('collection_point_id', 'category_id', 'day', name=op.f('pk_category_usage')),
    )
    dialect = op.get_bind().dialect.name
    day = "date(created_at)" if dialect == "sqlite" else "(created_at AT TIME ZONE 'UTC')::date"
    # What was logged before this migration, by the same rule as the triggers (before the wall goes up).
    op.execute(f"""
        INSERT INTO category_usage (collection_point_id, category_id, day, items, structure_id)
        SELECT collection_point_id, category_id, {day}, count(*), min(structure_id) FROM item
        GROUP BY collection_point_id, category_id, {day}""")
    for statement in category_usage_triggers(dialect):
        op.execute(statement)
    enable_row_level_security(op.get_bind(), ['category_usage'])


def downgrade():
    for statement in drop_category_usage_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('category_usage')
