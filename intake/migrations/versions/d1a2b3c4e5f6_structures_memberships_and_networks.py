"""structures: every record carries its structure; memberships give roles per structure; networks

Existing data moves into one structure (the row made earlier, or a new one); each account's role becomes
its membership there. On PostgreSQL, row-level security policies are the second wall.

Revision ID: d1a2b3c4e5f6
Revises: b7e2c9d4a1f3
Create Date: 2026-11-26 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import intake.models.base
from intake.models.reporting import drop_lead_time_triggers, lead_time_triggers
from intake.scoping import enable_row_level_security

# revision identifiers, used by Alembic.
revision = 'd1a2b3c4e5f6'
down_revision = 'b7e2c9d4a1f3'
branch_labels = None
depends_on = None

# The tables behind the wall, as of this revision.
SCOPED = ('accompaniment_session', 'category', 'category_position', 'collection_point', 'container', 'erasure',
          'handover', 'impact_factor', 'issued_code', 'item', 'item_event', 'landlord_access', 'lead_time',
          'organisation', 'photo', 'recycling_batch', 'sale', 'tenant_identity', 'territory', 'waste_shipment')
# Read through their parent (an item's events, photos…): no index of their own on the structure.
NOT_INDEXED = ('accompaniment_session', 'category_position', 'erasure', 'impact_factor', 'issued_code',
               'item_event', 'lead_time', 'photo', 'tenant_identity', 'waste_shipment')
# Names unique in the instance until now, unique in their structure from now on.
NAMED = ('organisation', 'territory', 'collection_point', 'container')
ROLES = ('volunteer', 'technician', 'coordinator', 'landlord', 'eco_organism')


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in drop_lead_time_triggers(dialect):
        op.execute(statement)  # SQLite's table rebuilds below would lose them; made again at the end
    with op.batch_alter_table('structure') as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    # The structure the existing records belong to (an empty name: "not filled in yet").
    op.execute("INSERT INTO structure (name, name_on_labels, updated_at, active) "
               "SELECT '', false, CURRENT_TIMESTAMP, true WHERE NOT EXISTS (SELECT 1 FROM structure)")
    first = "(SELECT min(id) FROM structure)"
    for table in SCOPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('structure_id', sa.Integer(), nullable=True))
        op.execute(f'UPDATE "{table}" SET structure_id = {first}')
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('structure_id', existing_type=sa.Integer(), nullable=False)
            if table not in NOT_INDEXED:
                batch_op.create_index(op.f(f'ix_{table}_structure_id'), ['structure_id'], unique=False)
            batch_op.create_foreign_key(op.f(f'fk_{table}_structure_id_structure'), 'structure', ['structure_id'], ['id'])
            if table in NAMED:
                batch_op.drop_constraint(op.f(f'uq_{table}_name'), type_='unique')
                batch_op.create_unique_constraint(op.f(f'uq_{table}_structure_name'), ['structure_id', 'name'])
            if table == 'category':
                batch_op.drop_constraint(op.f('name_in_parent'), type_='unique')
                batch_op.create_unique_constraint(op.f('name_in_parent'), ['structure_id', 'parent_id', 'name'])

    op.create_table(
        'membership',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('created_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(sa.column('role').in_(ROLES), name=op.f('ck_membership_role')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_membership_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['structure_id'], ['structure.id'], name=op.f('fk_membership_structure_id_structure')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_membership_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
        sa.UniqueConstraint('user_id', 'structure_id', name='uq_membership_user_structure'),
    )
    with op.batch_alter_table('membership') as batch_op:
        batch_op.create_index(op.f('ix_membership_structure_id'), ['structure_id'], unique=False)
        batch_op.create_index(op.f('ix_membership_user_id'), ['user_id'], unique=False)
    op.execute(f'INSERT INTO membership (user_id, structure_id, role, organisation_id, created_at) '
               f'SELECT id, {first}, role, organisation_id, created_at FROM "user"')
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.drop_constraint(op.f('fk_user_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_column('organisation_id')
        batch_op.drop_column('role')
    with op.batch_alter_table('api_token') as batch_op:
        batch_op.add_column(sa.Column('structure_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_api_token_structure_id_structure'), 'structure', ['structure_id'], ['id'])
    op.execute(f'UPDATE api_token SET structure_id = {first}')

    op.create_table(
        'network',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network')),
        sa.UniqueConstraint('name', name=op.f('uq_network_name')),
    )
    op.create_table(
        'network_member',
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', intake.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['network_id'], ['network.id'], name=op.f('fk_network_member_network_id_network'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['structure_id'], ['structure.id'],
                                name=op.f('fk_network_member_structure_id_structure'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('network_id', 'structure_id', name=op.f('pk_network_member')),
    )
    op.create_table(
        'network_coordinator',
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['network_id'], ['network.id'],
                                name=op.f('fk_network_coordinator_network_id_network'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_network_coordinator_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('network_id', 'user_id', name=op.f('pk_network_coordinator')),
    )
    for statement in lead_time_triggers(dialect, structure=True, exits=False):
        op.execute(statement)
    enable_row_level_security(op.get_bind(), SCOPED)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for table in SCOPED:
            op.execute(f'DROP POLICY IF EXISTS structure_wall ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    for statement in drop_lead_time_triggers(dialect):
        op.execute(statement)
    op.drop_table('network_coordinator')
    op.drop_table('network_member')
    op.drop_table('network')
    with op.batch_alter_table('api_token') as batch_op:
        batch_op.drop_constraint(op.f('fk_api_token_structure_id_structure'), type_='foreignkey')
        batch_op.drop_column('structure_id')
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
    # Each account keeps its role in its first structure.
    op.execute('UPDATE "user" SET role = (SELECT m.role FROM membership m WHERE m.user_id = "user".id '
               'ORDER BY m.id LIMIT 1), organisation_id = (SELECT m.organisation_id FROM membership m '
               'WHERE m.user_id = "user".id ORDER BY m.id LIMIT 1)')
    op.execute("UPDATE \"user\" SET role = 'volunteer' WHERE role IS NULL OR role = 'eco_organism'")
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('role', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_check_constraint(
            'role', sa.column('role').in_(('volunteer', 'technician', 'coordinator', 'landlord')))
        batch_op.create_foreign_key(op.f('fk_user_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'])
    op.drop_table('membership')
    for table in reversed(SCOPED):
        with op.batch_alter_table(table) as batch_op:
            if table in NAMED:
                batch_op.drop_constraint(op.f(f'uq_{table}_structure_name'), type_='unique')
                batch_op.create_unique_constraint(op.f(f'uq_{table}_name'), ['name'])
            if table == 'category':
                batch_op.drop_constraint(op.f('name_in_parent'), type_='unique')
                batch_op.create_unique_constraint(op.f('name_in_parent'), ['parent_id', 'name'])
            batch_op.drop_constraint(op.f(f'fk_{table}_structure_id_structure'), type_='foreignkey')
            if table not in NOT_INDEXED:
                batch_op.drop_index(op.f(f'ix_{table}_structure_id'))
            batch_op.drop_column('structure_id')
    with op.batch_alter_table('structure') as batch_op:
        batch_op.drop_column('active')
    for statement in lead_time_triggers(dialect, structure=False, exits=False):
        op.execute(statement)
