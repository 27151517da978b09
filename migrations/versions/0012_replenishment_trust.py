"""replenishment trust: the lock row the plan and every approval of its suggestions take first

Revision ID: 0012
Revises: 0011

The plan job and buyers approving suggestions update the same row of `replenishment_locks` before
anything else, so they run one after the other: a plan sees every order approved before it, and an
approval of a suggestion a newer plan superseded is refused. The row is created here (and on first
use by the app, for databases built from the models). No app code is imported.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    locks = op.create_table(
        'replenishment_locks',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('taken_by', sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_replenishment_locks')),
    )
    op.bulk_insert(locks, [{'name': 'plan', 'taken_at': None, 'taken_by': ''}])


def downgrade():
    op.drop_table('replenishment_locks')
