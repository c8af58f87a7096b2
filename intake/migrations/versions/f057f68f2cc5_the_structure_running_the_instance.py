"""the structure running the instance: name, SIRET, address, contact, logo

Revision ID: f057f68f2cc5
Revises: a4c1d2e3f405
Create Date: 2026-11-26 16:33:43.730942

"""
from alembic import op
import sqlalchemy as sa

import intake.models.base


# revision identifiers, used by Alembic.
revision = 'f057f68f2cc5'
down_revision = 'a4c1d2e3f405'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('structure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('name_on_labels', sa.Boolean(), nullable=False),
    sa.Column('logo_png', sa.LargeBinary(), nullable=True),
    sa.Column('logo_width', sa.Integer(), nullable=True),
    sa.Column('logo_height', sa.Integer(), nullable=True),
    sa.Column('updated_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('siret IS NULL OR length(siret) = 14', name=op.f('ck_structure_siret_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_structure'))
    )


def downgrade():
    op.drop_table('structure')
