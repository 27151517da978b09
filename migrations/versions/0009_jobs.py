"""dashboard and jobs: an index on stock_moves.posted_at

Revision ID: 0009
Revises: 0008

The dashboard's windows (this month's stock-outs, 90 days of demand, a year of turnover) select
moves by posting time; without this index each of them reads the whole ledger. No app code is imported.
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX (not a batch operation): a batch rebuild of stock_moves on SQLite would drop
    # the triggers that keep the ledger append-only.
    op.create_index('ix_stock_moves_posted_at', 'stock_moves', ['posted_at'], unique=False)


def downgrade():
    op.drop_index('ix_stock_moves_posted_at', table_name='stock_moves')
