"""after-sales: fault tickets reported by a landlord or a buyer, and their steps (behind the structure wall)

Revision ID: 21ec4952c5a1
Revises: 742f1f799e73
Create Date: 2026-11-26 22:19:54.546343

"""
from alembic import op
import sqlalchemy as sa

import intake.models.base
from intake.scoping import enable_row_level_security


# revision identifiers, used by Alembic.
revision = '21ec4952c5a1'
down_revision = '742f1f799e73'
branch_labels = None
depends_on = None

SCOPED = ('fault_ticket', 'fault_ticket_step')


def upgrade():
    op.create_table('fault_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=True),
    sa.Column('sale_id', sa.Integer(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('noticed_on', sa.Date(), nullable=True),
    sa.Column('availability', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('under_warranty', sa.Boolean(), nullable=False),
    sa.Column('warranty_until', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('return_event_id', sa.Integer(), nullable=True),
    sa.Column('replacement_item_id', sa.Integer(), nullable=True),
    sa.Column('created_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', intake.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("source IN ('landlord', 'buyer')", name=op.f('ck_fault_ticket_source')),
    sa.CheckConstraint("state IN ('open', 'accepted', 'replaced', 'closed')", name=op.f('ck_fault_ticket_state')),
    sa.CheckConstraint('(handover_id IS NULL) <> (sale_id IS NULL)', name=op.f('ck_fault_ticket_one_outcome')),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], name=op.f('fk_fault_ticket_handover_id_handover')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_fault_ticket_item_id_item')),
    sa.ForeignKeyConstraint(['replacement_item_id'], ['item.id'], name=op.f('fk_fault_ticket_replacement_item_id_item')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user.id'], name=op.f('fk_fault_ticket_reported_by_id_user')),
    sa.ForeignKeyConstraint(['return_event_id'], ['item_event.id'], name=op.f('fk_fault_ticket_return_event_id_item_event')),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name=op.f('fk_fault_ticket_sale_id_sale')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_fault_ticket_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_ticket'))
    )
    with op.batch_alter_table('fault_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_ticket_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_ticket_handover_id'), ['handover_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_ticket_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_ticket_structure_id'), ['structure_id'], unique=False)

    op.create_table('fault_ticket_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('reported', 'accepted', 'replaced', 'closed')", name=op.f('ck_fault_ticket_step_kind')),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_fault_ticket_step_structure_id_structure')),
    sa.ForeignKeyConstraint(['ticket_id'], ['fault_ticket.id'], name=op.f('fk_fault_ticket_step_ticket_id_fault_ticket')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_fault_ticket_step_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_ticket_step'))
    )
    with op.batch_alter_table('fault_ticket_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_ticket_step_ticket_id'), ['ticket_id'], unique=False)

    enable_row_level_security(op.get_bind(), SCOPED)


def downgrade():
    with op.batch_alter_table('fault_ticket_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fault_ticket_step_ticket_id'))

    op.drop_table('fault_ticket_step')
    with op.batch_alter_table('fault_ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fault_ticket_structure_id'))
        batch_op.drop_index(batch_op.f('ix_fault_ticket_item_id'))
        batch_op.drop_index(batch_op.f('ix_fault_ticket_handover_id'))
        batch_op.drop_index(batch_op.f('ix_fault_ticket_created_at'))

    op.drop_table('fault_ticket')
