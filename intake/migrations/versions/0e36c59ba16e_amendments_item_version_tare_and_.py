"""amendments: item version, tare and amended_at; plausible weights; tile positions per point

Revision ID: 0e36c59ba16e
Revises: 9e892dda1e64
Create Date: 2026-11-26 16:01:18.594474

"""
import json

from alembic import op
import sqlalchemy as sa

import intake.models.base


# revision identifiers, used by Alembic.
revision = '0e36c59ba16e'
down_revision = '9e892dda1e64'
branch_labels = None
depends_on = None

OLD_STATUSES = ('received', 'diagnosing', 'repairing', 'ready', 'sold', 'handed_over', 'returned',
                'to_recycle', 'recycled', 'dismantled')
NEW_STATUSES = OLD_STATUSES + ('voided',)


def _status_check(statuses) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade():
    op.create_table('category_position',
    sa.Column('collection_point_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('position >= 1 AND position <= 10000', name=op.f('ck_category_position_position')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_category_position_category_id_category')),
    sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'], name=op.f('fk_category_position_collection_point_id_collection_point')),
    sa.PrimaryKeyConstraint('collection_point_id', 'category_id', name=op.f('pk_category_position'))
    )
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_weight_kg', sa.Numeric(precision=9, scale=3), nullable=True))
        batch_op.add_column(sa.Column('max_weight_kg', sa.Numeric(precision=9, scale=3), nullable=True))
        batch_op.create_check_constraint(
            'plausible_range', 'min_weight_kg IS NULL OR max_weight_kg IS NULL OR min_weight_kg < max_weight_kg')

    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('most_used_first', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tare_kg', sa.Numeric(precision=9, scale=3), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('amended_at', intake.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint('tare', 'tare_kg >= 0')
        batch_op.drop_constraint(op.f('ck_item_status'), type_='check')
        batch_op.create_check_constraint('status', _status_check(NEW_STATUSES))

    # The tare taken off at intake was kept in the "received" event only: copy it onto the item.
    connection = op.get_bind()
    events = connection.execute(sa.text("SELECT item_id, data FROM item_event WHERE kind = 'received'"))
    for item_id, data in events.fetchall():
        if isinstance(data, str):
            data = json.loads(data)
        tare = (data or {}).get("tare_kg")
        if tare and float(tare) > 0:
            connection.execute(sa.text("UPDATE item SET tare_kg = :tare WHERE id = :id"), {"tare": tare, "id": item_id})


def downgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_item_status'), type_='check')
        batch_op.create_check_constraint('status', _status_check(OLD_STATUSES))
        batch_op.drop_constraint(op.f('ck_item_tare'), type_='check')
        batch_op.drop_column('amended_at')
        batch_op.drop_column('version')
        batch_op.drop_column('tare_kg')

    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.drop_column('most_used_first')

    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_category_plausible_range'), type_='check')
        batch_op.drop_column('max_weight_kg')
        batch_op.drop_column('min_weight_kg')

    op.drop_table('category_position')
