"""indicators: emission factors, waste register details, partners' start and consent, report indexes

Revision ID: a4c1d2e3f405
Revises: e59ecd582054
Create Date: 2026-11-26 17:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

import intake.models.base


# revision identifiers, used by Alembic.
revision = 'a4c1d2e3f405'
down_revision = 'e59ecd582054'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'impact_factor',
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('kg_co2e_per_kg', sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('kg_co2e_per_kg >= 0 AND kg_co2e_per_kg <= 100000', name=op.f('ck_impact_factor_factor')),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_impact_factor_category_id_category')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_impact_factor_updated_by_id_user')),
        sa.PrimaryKeyConstraint('category_id', name=op.f('pk_impact_factor')),
    )
    op.create_table(
        'waste_shipment',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('treatment_code', sa.String(length=4), nullable=True),
        sa.Column('contains_pop', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('carrier_name', sa.String(length=200), nullable=True),
        sa.Column('carrier_siren', sa.String(length=9), nullable=True),
        sa.Column('carrier_address', sa.String(length=300), nullable=True),
        sa.Column('carrier_receipt', sa.String(length=60), nullable=True),
        sa.Column('destination_name', sa.String(length=200), nullable=True),
        sa.Column('destination_siret', sa.String(length=14), nullable=True),
        sa.Column('destination_address', sa.String(length=300), nullable=True),
        sa.Column('updated_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['recycling_batch.id'],
                                name=op.f('fk_waste_shipment_batch_id_recycling_batch')),
        sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_waste_shipment')),
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('public_name_consent', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index('ix_item_created_figures', ['created_at', 'source_id', 'collection_point_id',
                                                          'category_id', 'status', 'grade', 'weight_kg'], unique=False)
        batch_op.create_index('ix_item_source_created', ['source_id', 'created_at'], unique=False)
    with op.batch_alter_table('item_event', schema=None) as batch_op:
        batch_op.create_index('ix_item_event_to_status_at', ['to_status', 'at'], unique=False)
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.create_index('ix_sale_sold_on', ['sold_on'], unique=False)
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index('ix_handover_handed_on', ['handed_on'], unique=False)


def downgrade():
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index('ix_handover_handed_on')
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_index('ix_sale_sold_on')
    with op.batch_alter_table('item_event', schema=None) as batch_op:
        batch_op.drop_index('ix_item_event_to_status_at')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index('ix_item_source_created')
        batch_op.drop_index('ix_item_created_figures')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('public_name_consent')
        batch_op.drop_column('partner_since')
    op.drop_table('waste_shipment')
    op.drop_table('impact_factor')
