"""partnerships: contacts, timeline, conventions, pipeline status

Partners that already brought items start "active" in the pipeline, the others "identified". The new
tables are behind the structure wall (row-level security on PostgreSQL).

Revision ID: 89992b9f1c6a
Revises: 5b1c0d2e3f4a
Create Date: 2026-11-26 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import intake.models.base
from intake.scoping import enable_row_level_security


# revision identifiers, used by Alembic.
revision = '89992b9f1c6a'
down_revision = '5b1c0d2e3f4a'
branch_labels = None
depends_on = None


SCOPED = ('contact_person', 'convention', 'convention_volume', 'partner_event')


def upgrade():
    op.create_table('contact_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_contact_person_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_contact_person_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_person'))
    )
    with op.batch_alter_table('contact_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_person_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('convention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('renewal_on', sa.Date(), nullable=True),
    sa.Column('our_commitments', sa.Text(), nullable=True),
    sa.Column('partner_commitments', sa.Text(), nullable=True),
    sa.Column('expected_items_per_year', sa.Integer(), nullable=True),
    sa.Column('expected_kg_per_year', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('document_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('document_size', sa.Integer(), nullable=True),
    sa.Column('document_uploaded_at', intake.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_convention_period')),
    sa.CheckConstraint('expected_items_per_year IS NULL OR expected_items_per_year >= 0', name=op.f('ck_convention_items')),
    sa.CheckConstraint('expected_kg_per_year IS NULL OR expected_kg_per_year >= 0', name=op.f('ck_convention_kg')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_convention_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_convention_structure_id_structure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convention'))
    )
    with op.batch_alter_table('convention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convention_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_convention_structure_id'), ['structure_id'], unique=False)

    op.create_table('partner_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind <> 'status' OR to_status IS NOT NULL", name=op.f('ck_partner_event_status_has_target')),
    sa.CheckConstraint("kind IN ('status', 'meeting', 'note')", name=op.f('ck_partner_event_kind')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_partner_event_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_partner_event_structure_id_structure')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_partner_event_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_event'))
    )
    with op.batch_alter_table('partner_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_event_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('convention_volume',
    sa.Column('convention_id', sa.Integer(), nullable=False),
    sa.Column('family', sa.String(length=32), nullable=False),
    sa.Column('items_per_year', sa.Integer(), nullable=True),
    sa.Column('kg_per_year', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("family IN ('electrical', 'textiles', 'furniture', 'books_media', 'leisure', 'tools', 'other')", name=op.f('ck_convention_volume_family')),
    sa.CheckConstraint('items_per_year IS NULL OR items_per_year >= 0', name=op.f('ck_convention_volume_items')),
    sa.CheckConstraint('kg_per_year IS NULL OR kg_per_year >= 0', name=op.f('ck_convention_volume_kg')),
    sa.ForeignKeyConstraint(['convention_id'], ['convention.id'], name=op.f('fk_convention_volume_convention_id_convention'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_convention_volume_structure_id_structure')),
    sa.PrimaryKeyConstraint('convention_id', 'family', name=op.f('pk_convention_volume'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pipeline_status', sa.String(length=16), server_default='identified', nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT set_config('intake.scope', 'all', true)")  # the update crosses the wall on purpose
    op.execute("UPDATE organisation SET pipeline_status = 'active' "
               "WHERE id IN (SELECT source_id FROM item WHERE source_id IS NOT NULL)")
    enable_row_level_security(op.get_bind(), SCOPED)


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('pipeline_status')

    op.drop_table('convention_volume')
    with op.batch_alter_table('partner_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_event_organisation_id'))

    op.drop_table('partner_event')
    with op.batch_alter_table('convention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convention_structure_id'))
        batch_op.drop_index(batch_op.f('ix_convention_organisation_id'))

    op.drop_table('convention')
    with op.batch_alter_table('contact_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_person_organisation_id'))

    op.drop_table('contact_person')
