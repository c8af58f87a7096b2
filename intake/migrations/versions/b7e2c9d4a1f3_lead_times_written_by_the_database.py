"""lead times written by the database: a table filled by triggers on item events, for the dashboard

Revision ID: b7e2c9d4a1f3
Revises: 260274c13d7d
Create Date: 2026-11-26 17:25:00.000000

"""
from alembic import op
import sqlalchemy as sa

import intake.models.base
# The triggers' statements live with the model, so that a schema made without migrations (tests) has the
# very same ones.
from intake.models.reporting import DROP_POSTGRES_TRIGGERS, DROP_SQLITE_TRIGGERS, lead_time_triggers


# revision identifiers, used by Alembic.
revision = 'b7e2c9d4a1f3'
down_revision = '260274c13d7d'
branch_labels = None
depends_on = None


def _days(dialect: str, later: str, earlier: str) -> str:
    if dialect == "sqlite":
        return f"julianday({later}) - julianday({earlier})"
    return f"extract(epoch from {later} - {earlier}) / 86400.0"


def upgrade():
    op.create_table(
        'lead_time',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=8), nullable=False),
        sa.Column('at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('days', sa.Float(), nullable=True),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('collection_point_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_lead_time_category_id_category')),
        sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'],
                                name=op.f('fk_lead_time_collection_point_id_collection_point')),
        sa.ForeignKeyConstraint(['event_id'], ['item_event.id'], name=op.f('fk_lead_time_event_id_item_event')),
        sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_lead_time_item_id_item')),
        sa.ForeignKeyConstraint(['source_id'], ['organisation.id'], name=op.f('fk_lead_time_source_id_organisation')),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_lead_time')),
    )
    with op.batch_alter_table('lead_time', schema=None) as batch_op:
        batch_op.create_index('ix_lead_time_stage_at', ['stage', 'at', 'collection_point_id', 'category_id',
                                                        'source_id', 'days'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_time_item_id'), ['item_id'], unique=False)
    dialect = op.get_bind().dialect.name
    # What happened before this migration, by the same rules as the triggers.
    columns = "event_id, stage, at, days, item_id, collection_point_id, category_id, source_id"
    op.execute(f"""
        INSERT INTO lead_time ({columns})
        SELECT e.id, 'to_ready', e.at, {_days(dialect, 'e.at', 'i.created_at')}, i.id, i.collection_point_id,
               i.category_id, i.source_id
        FROM item_event e JOIN item i ON i.id = e.item_id
        WHERE e.to_status = 'ready' AND NOT EXISTS (
            SELECT 1 FROM item_event x WHERE x.item_id = e.item_id AND x.to_status = 'ready' AND x.id < e.id)""")
    last_ready = ("(SELECT max(r.at) FROM item_event r WHERE r.item_id = e.item_id AND r.to_status = 'ready' "
                  "AND r.id < e.id)")
    op.execute(f"""
        INSERT INTO lead_time ({columns})
        SELECT e.id, 'to_out', e.at, {_days(dialect, 'e.at', last_ready)}, i.id, i.collection_point_id,
               i.category_id, i.source_id
        FROM item_event e JOIN item i ON i.id = e.item_id
        WHERE e.to_status IN ('sold', 'handed_over')""")
    for statement in lead_time_triggers(dialect, structure=False, exits=False):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in (DROP_SQLITE_TRIGGERS if dialect == "sqlite" else DROP_POSTGRES_TRIGGERS):
        op.execute(statement)
    with op.batch_alter_table('lead_time', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_time_item_id'))
        batch_op.drop_index('ix_lead_time_stage_at')
    op.drop_table('lead_time')
