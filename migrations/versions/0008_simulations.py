"""simulations: stored runs of the policy simulation (forecast policy vs min/max)

Revision ID: 0008
Revises: 0007

One row per run with its settings and headline figures; per-policy summaries and per-series rows as
JSON. No app code is imported.
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'simulation_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('trigger', sa.String(length=16), nullable=False),
        sa.Column('freq', sa.String(length=1), nullable=False),
        sa.Column('periods', sa.Integer(), nullable=False),
        sa.Column('lead_time', sa.Integer(), nullable=False),
        sa.Column('review', sa.Integer(), nullable=False),
        sa.Column('service_level', sa.Float(), nullable=False),
        sa.Column('series_total', sa.Integer(), nullable=False),
        sa.Column('series_skipped', sa.Integer(), nullable=False),
        sa.Column('fill_rate', sa.Float(), nullable=True),
        sa.Column('stockout_periods', sa.Integer(), nullable=False),
        sa.Column('avg_inventory', sa.Float(), nullable=True),
        sa.Column('minmax_fill_rate', sa.Float(), nullable=True),
        sa.Column('minmax_avg_inventory', sa.Float(), nullable=True),
        sa.Column('saving', sa.Float(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('series', sa.JSON(), nullable=False),
        sa.CheckConstraint("freq IN ('D','W','M')", name=op.f('ck_simulation_runs_freq')),
        sa.CheckConstraint('service_level > 0 AND service_level < 1', name=op.f('ck_simulation_runs_service_level_range')),
        sa.CheckConstraint('periods > 0 AND lead_time >= 0 AND review > 0', name=op.f('ck_simulation_runs_periods_positive')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_simulation_runs_created_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_simulation_runs')),
    )


def downgrade():
    op.drop_table('simulation_runs')
