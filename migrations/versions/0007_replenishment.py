"""replenishment: policies per item and warehouse, plan runs, suggestions, stock warnings

Revision ID: 0007
Revises: 0006

Quantities, money and percentages are scaled integers (BIGINT), as in scm.models.base; no app code
is imported.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('replenishment_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('suggestions', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.CheckConstraint("status IN ('running','ok','error')", name=op.f('ck_replenishment_runs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replenishment_runs'))
    )
    op.create_table('replenishment_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('service_level', sa.BigInteger(), nullable=True),
    sa.Column('review_period_days', sa.Integer(), nullable=True),
    sa.Column('min_cover_days', sa.Integer(), nullable=True),
    sa.Column('safety_method', sa.String(length=16), nullable=False),
    sa.Column('auto_order', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("safety_method IN ('formula','backtest')", name=op.f('ck_replenishment_policies_safety_method')),
    sa.CheckConstraint('min_cover_days IS NULL OR min_cover_days BETWEEN 0 AND 90', name=op.f('ck_replenishment_policies_min_cover')),
    sa.CheckConstraint('review_period_days IS NULL OR review_period_days BETWEEN 1 AND 90', name=op.f('ck_replenishment_policies_review_period')),
    sa.CheckConstraint('service_level IS NULL OR (service_level >= 5000 AND service_level <= 9990)', name=op.f('ck_replenishment_policies_service_level_range')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_replenishment_policies_item_id_items')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_replenishment_policies_updated_by_users')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_replenishment_policies_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replenishment_policies')),
    sa.UniqueConstraint('item_id', 'warehouse_id', name='uq_replenishment_policies_item_warehouse')
    )
    op.create_table('stock_warnings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stockout_on', sa.Date(), nullable=True),
    sa.Column('qty_short', sa.BigInteger(), nullable=False),
    sa.Column('days_of_cover', sa.Float(), nullable=True),
    sa.Column('stockout_probability', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('open_orders', sa.JSON(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('last_seen_on', sa.Date(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("severity IN ('critical','warning','watch')", name=op.f('ck_stock_warnings_severity')),
    sa.CheckConstraint("status IN ('open','acknowledged','resolved')", name=op.f('ck_stock_warnings_status')),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], name=op.f('fk_stock_warnings_acknowledged_by_users')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_warnings_item_id_items')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_warnings_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_warnings'))
    )
    with op.batch_alter_table('stock_warnings', schema=None) as batch_op:
        batch_op.create_index('ix_stock_warnings_item_warehouse', ['item_id', 'warehouse_id', 'status'], unique=False)
        batch_op.create_index('ix_stock_warnings_status_severity', ['status', 'severity'], unique=False)

    op.create_table('replenishment_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.Column('from_warehouse_id', sa.Integer(), nullable=True),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('suggested_qty', sa.BigInteger(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('expected_arrival', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('auto_order', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('po_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('buy','transfer')", name=op.f('ck_replenishment_suggestions_kind')),
    sa.CheckConstraint("status IN ('open','approved','dismissed','superseded')", name=op.f('ck_replenishment_suggestions_status')),
    sa.CheckConstraint('qty >= 0', name=op.f('ck_replenishment_suggestions_qty_nonneg')),
    sa.ForeignKeyConstraint(['from_warehouse_id'], ['warehouses.id'], name=op.f('fk_replenishment_suggestions_from_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_replenishment_suggestions_item_id_items')),
    sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_replenishment_suggestions_po_id_purchase_orders')),
    sa.ForeignKeyConstraint(['run_id'], ['replenishment_runs.id'], name=op.f('fk_replenishment_suggestions_run_id_replenishment_runs')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_replenishment_suggestions_supplier_id_suppliers')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_replenishment_suggestions_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replenishment_suggestions'))
    )
    with op.batch_alter_table('replenishment_suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_replenishment_suggestions_item_warehouse', ['item_id', 'warehouse_id'], unique=False)
        batch_op.create_index('ix_replenishment_suggestions_run_status', ['run_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('replenishment_suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_replenishment_suggestions_run_status')
        batch_op.drop_index('ix_replenishment_suggestions_item_warehouse')

    op.drop_table('replenishment_suggestions')
    with op.batch_alter_table('stock_warnings', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_warnings_status_severity')
        batch_op.drop_index('ix_stock_warnings_item_warehouse')

    op.drop_table('stock_warnings')
    op.drop_table('replenishment_policies')
    op.drop_table('replenishment_runs')
