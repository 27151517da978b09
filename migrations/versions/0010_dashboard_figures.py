"""dashboard figures: snapshots of the slow dashboard panels

Revision ID: 0010
Revises: 0009

The `dashboard-figures` job (every 15 minutes) writes the data of the panels that aggregate the
ledger (stock value and turnover, slow/dead stock) here; the home page reads it instead of
recomputing a year of moves per view. No app code is imported.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dashboard_snapshots',
        sa.Column('panel', sa.String(length=40), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seconds', sa.Double(), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('panel', name=op.f('pk_dashboard_snapshots')),
    )


def downgrade():
    op.drop_table('dashboard_snapshots')
