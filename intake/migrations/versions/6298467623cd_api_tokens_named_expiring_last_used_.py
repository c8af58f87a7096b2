"""API tokens named, expiring, with their last use, read-only or not; a session version per account

Revision ID: 6298467623cd
Revises: f057f68f2cc5
Create Date: 2026-11-26 16:38:35.985027

"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa

import intake.models.base


# revision identifiers, used by Alembic.
revision = '6298467623cd'
down_revision = 'f057f68f2cc5'
branch_labels = None
depends_on = None

# Tokens made before they could expire keep working this long, then expire like any other.
EXISTING_TOKENS_DAYS = 90


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('read_only', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('expires_at', intake.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', intake.models.base.UTCDateTime(timezone=True), nullable=True))

    token = sa.table('api_token', sa.column('expires_at', intake.models.base.UTCDateTime(timezone=True)))
    op.execute(token.update().where(token.c.expires_at.is_(None))
               .values(expires_at=datetime.now(timezone.utc) + timedelta(days=EXISTING_TOKENS_DAYS)))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=intake.models.base.UTCDateTime(timezone=True),
                              nullable=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    # Not in batch mode: rebuilding "user" on SQLite would break the keys of every table pointing at it.
    op.drop_column('user', 'session_version')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('read_only')
        batch_op.drop_column('name')
