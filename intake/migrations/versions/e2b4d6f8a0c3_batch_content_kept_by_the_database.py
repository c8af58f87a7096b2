"""what each recycling batch holds, per point, category and source, kept by triggers: the waste register and the dashboard's recycled weight

Revision ID: e2b4d6f8a0c3
Revises: d8f0b2c4e6a8
Create Date: 2026-11-27 09:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# The triggers' statements live with the model, so that a schema made without migrations (tests) has the
# very same ones.
from intake.models.tallies import batch_content_backfill, batch_content_triggers, drop_batch_content_triggers
from intake.scoping import enable_row_level_security


# revision identifiers, used by Alembic.
revision = 'e2b4d6f8a0c3'
down_revision = 'd8f0b2c4e6a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'batch_content',
        sa.Column('recycling_batch_id', sa.Integer(), nullable=False),
        sa.Column('collection_point_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.Integer(), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('kg', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['recycling_batch_id'], ['recycling_batch.id'],
                                name=op.f('fk_batch_content_recycling_batch_id_recycling_batch')),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_batch_content_category_id_category')),
        sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'],
                                name=op.f('fk_batch_content_collection_point_id_collection_point')),
        sa.ForeignKeyConstraint(['structure_id'], ['structure.id'],
                                name=op.f('fk_batch_content_structure_id_structure')),
        sa.PrimaryKeyConstraint('structure_id', 'recycling_batch_id', 'collection_point_id', 'category_id',
                                'source_key', name=op.f('pk_batch_content')),
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("SELECT set_config('intake.scope', 'all', true)")  # every structure's batches, on purpose
    # What the batches held before this migration, by the same rule as the triggers (before the wall goes up).
    op.execute(batch_content_backfill())
    for statement in batch_content_triggers(dialect):
        op.execute(statement)
    enable_row_level_security(op.get_bind(), ['batch_content'])


def downgrade():
    for statement in drop_batch_content_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('batch_content')
