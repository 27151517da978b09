"""purchasing: purchase orders, lines, history, receipts with inspection; the PO number counter

Revision ID: 0004
Revises: 0003

Quantities and money are scaled integers (BIGINT), as in scm.models.base; no app code is imported.
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'po_sequences',
        sa.Column('name', sa.String(length=16), nullable=False),
        sa.Column('last_value', sa.Integer(), nullable=False),
        sa.CheckConstraint('last_value >= 0', name=op.f('ck_po_sequences_last_value_nonneg')),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_po_sequences')),
    )
    op.create_table(
        'purchase_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('warehouse_id', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('ordered_on', sa.Date(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('approved_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('in_transit_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancel_reason', sa.String(length=500), nullable=False),
        sa.Column('reject_reason', sa.String(length=500), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('draft','pending_approval','approved','sent','confirmed','partially_confirmed','rejected','in_transit','partially_received','received','closed','cancelled')", name=op.f('ck_purchase_orders_status')),
        sa.ForeignKeyConstraint(['approved_by'], ['users.id'], name=op.f('fk_purchase_orders_approved_by_users')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_purchase_orders_created_by_users')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_purchase_orders_supplier_id_suppliers')),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_purchase_orders_warehouse_id_warehouses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_orders')),
        sa.UniqueConstraint('number', name=op.f('uq_purchase_orders_number')),
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_orders_status', ['status'], unique=False)
        batch_op.create_index('ix_purchase_orders_supplier_status', ['supplier_id', 'status'], unique=False)

    op.create_table(
        'purchase_order_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('po_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=254), nullable=False),
        sa.Column('from_status', sa.String(length=24), nullable=True),
        sa.Column('to_status', sa.String(length=24), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_purchase_order_events_actor_id_users')),
        sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_purchase_order_events_po_id_purchase_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_events')),
    )
    with op.batch_alter_table('purchase_order_events', schema=None) as batch_op:
        batch_op.create_index('ix_purchase_order_events_po_id', ['po_id', 'id'], unique=False)

    op.create_table(
        'purchase_order_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('po_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('qty_ordered', sa.BigInteger(), nullable=False),
        sa.Column('unit_price', sa.BigInteger(), nullable=False),
        sa.Column('stated_lead_time_days', sa.Integer(), nullable=False),
        sa.Column('promised_date', sa.Date(), nullable=True),
        sa.Column('confirmed_qty', sa.BigInteger(), nullable=True),
        sa.Column('confirmed_date', sa.Date(), nullable=True),
        sa.Column('qty_received', sa.BigInteger(), nullable=False),
        sa.Column('qty_accepted', sa.BigInteger(), nullable=False),
        sa.Column('qty_rejected', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('confirmed_qty IS NULL OR confirmed_qty >= 0', name=op.f('ck_purchase_order_lines_confirmed_qty_nonneg')),
        sa.CheckConstraint('qty_accepted + qty_rejected = qty_received', name=op.f('ck_purchase_order_lines_inspection_split')),
        sa.CheckConstraint('qty_accepted >= 0 AND qty_rejected >= 0', name=op.f('ck_purchase_order_lines_inspected_nonneg')),
        sa.CheckConstraint('qty_ordered > 0', name=op.f('ck_purchase_order_lines_qty_ordered_positive')),
        sa.CheckConstraint('qty_received >= 0', name=op.f('ck_purchase_order_lines_qty_received_nonneg')),
        sa.CheckConstraint('stated_lead_time_days >= 0', name=op.f('ck_purchase_order_lines_lead_time_nonneg')),
        sa.CheckConstraint('unit_price >= 0', name=op.f('ck_purchase_order_lines_unit_price_nonneg')),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_purchase_order_lines_item_id_items')),
        sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_purchase_order_lines_po_id_purchase_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_lines')),
    )
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_lines_po_id'), ['po_id'], unique=False)

    op.create_table(
        'receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('po_id', sa.Integer(), nullable=False),
        sa.Column('warehouse_id', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_by', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_receipts_po_id_purchase_orders')),
        sa.ForeignKeyConstraint(['received_by'], ['users.id'], name=op.f('fk_receipts_received_by_users')),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_receipts_warehouse_id_warehouses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipts_po_id'), ['po_id'], unique=False)

    op.create_table(
        'receipt_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receipt_id', sa.Integer(), nullable=False),
        sa.Column('po_line_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('qty_received', sa.BigInteger(), nullable=False),
        sa.Column('qty_accepted', sa.BigInteger(), nullable=False),
        sa.Column('qty_rejected', sa.BigInteger(), nullable=False),
        sa.Column('reject_reason', sa.String(length=500), nullable=False),
        sa.Column('qty_returned', sa.BigInteger(), nullable=False),
        sa.Column('stock_move_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("qty_rejected = 0 OR reject_reason <> ''", name=op.f('ck_receipt_lines_reject_reason_given')),
        sa.CheckConstraint('qty_returned >= 0 AND qty_returned <= qty_rejected', name=op.f('ck_receipt_lines_returned_range')),
        sa.CheckConstraint('qty_accepted + qty_rejected = qty_received', name=op.f('ck_receipt_lines_inspection_split')),
        sa.CheckConstraint('qty_accepted >= 0 AND qty_rejected >= 0', name=op.f('ck_receipt_lines_inspected_nonneg')),
        sa.CheckConstraint('qty_received > 0', name=op.f('ck_receipt_lines_qty_received_positive')),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_receipt_lines_item_id_items')),
        sa.ForeignKeyConstraint(['po_line_id'], ['purchase_order_lines.id'], name=op.f('fk_receipt_lines_po_line_id_purchase_order_lines')),
        sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'], name=op.f('fk_receipt_lines_receipt_id_receipts')),
        sa.ForeignKeyConstraint(['stock_move_id'], ['stock_moves.id'], name=op.f('fk_receipt_lines_stock_move_id_stock_moves')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_lines')),
        sa.UniqueConstraint('receipt_id', 'po_line_id', name='uq_receipt_lines_receipt_po_line'),
    )
    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.create_index('ix_receipt_lines_po_line_id', ['po_line_id'], unique=False)



def downgrade():
    with op.batch_alter_table('receipt_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_receipt_lines_po_line_id')

    op.drop_table('receipt_lines')
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_po_id'))

    op.drop_table('receipts')
    with op.batch_alter_table('purchase_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_lines_po_id'))

    op.drop_table('purchase_order_lines')
    with op.batch_alter_table('purchase_order_events', schema=None) as batch_op:
        batch_op.drop_index('ix_purchase_order_events_po_id')

    op.drop_table('purchase_order_events')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_purchase_orders_supplier_status')
        batch_op.drop_index('ix_purchase_orders_status')

    op.drop_table('purchase_orders')
    op.drop_table('po_sequences')
