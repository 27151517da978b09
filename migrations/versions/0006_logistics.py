"""logistics: carriers, shipments (inbound, transfer, outbound), lines, status events, unmatched tracking
events; transfers gain a status (posted | in_transit | delivered) for shipped transfers

Revision ID: 0006
Revises: 0005

Quantities are scaled integers (BIGINT), as in scm.models.base; no app code is imported.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('carriers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('tracking_url_template', sa.String(length=300), nullable=False),
    sa.Column('transit_days', sa.JSON(), nullable=False),
    sa.Column('event_interval_hours', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('event_interval_hours > 0', name=op.f('ck_carriers_interval_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carriers')),
    sa.UniqueConstraint('code', name=op.f('uq_carriers_code'))
    )
    op.create_table('unmatched_tracking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier_code', sa.String(length=20), nullable=False),
    sa.Column('tracking_number', sa.String(length=80), nullable=False),
    sa.Column('event_id', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unmatched_tracking_events')),
    sa.UniqueConstraint('carrier_code', 'event_id', name='uq_unmatched_tracking_events_carrier_event')
    )
    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=True),
    sa.Column('carrier_name', sa.String(length=80), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('tracking_number', sa.String(length=80), nullable=False),
    sa.Column('ship_date', sa.Date(), nullable=True),
    sa.Column('promised_date', sa.Date(), nullable=True),
    sa.Column('eta', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_rank', sa.Integer(), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exception_reason', sa.String(length=300), nullable=False),
    sa.Column('exception_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('late_reason', sa.String(length=300), nullable=False),
    sa.Column('delay_detected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('weight_kg', sa.BigInteger(), nullable=True),
    sa.Column('packages', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.Column('po_id', sa.Integer(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('from_warehouse_id', sa.Integer(), nullable=True),
    sa.Column('to_warehouse_id', sa.Integer(), nullable=True),
    sa.Column('customer', sa.String(length=120), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('inbound','transfer','outbound')", name=op.f('ck_shipments_kind')),
    sa.CheckConstraint("status IN ('created','picked_up','in_transit','at_hub','out_for_delivery','delivered','returned')", name=op.f('ck_shipments_status')),
    sa.CheckConstraint('packages IS NULL OR packages >= 0', name=op.f('ck_shipments_packages_nonneg')),
    sa.CheckConstraint('weight_kg IS NULL OR weight_kg >= 0', name=op.f('ck_shipments_weight_nonneg')),
    sa.ForeignKeyConstraint(['carrier_id'], ['carriers.id'], name=op.f('fk_shipments_carrier_id_carriers')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_shipments_created_by_users')),
    sa.ForeignKeyConstraint(['from_warehouse_id'], ['warehouses.id'], name=op.f('fk_shipments_from_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['notice_id'], ['shipping_notices.id'], name=op.f('fk_shipments_notice_id_shipping_notices')),
    sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_shipments_po_id_purchase_orders')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_shipments_supplier_id_suppliers')),
    sa.ForeignKeyConstraint(['to_warehouse_id'], ['warehouses.id'], name=op.f('fk_shipments_to_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_shipments_transfer_id_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('notice_id', name='uq_shipments_notice_id')
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index('ix_shipments_kind_status', ['kind', 'status'], unique=False)
        batch_op.create_index('ix_shipments_po_id', ['po_id'], unique=False)
        batch_op.create_index('ix_shipments_supplier_id', ['supplier_id'], unique=False)
        batch_op.create_index('ix_shipments_tracking', ['tracking_number'], unique=False)

    op.create_table('shipment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('eta', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('created','picked_up','in_transit','at_hub','out_for_delivery','delivered','returned','exception')", name=op.f('ck_shipment_events_status')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_shipment_events_actor_id_users')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_events_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_events')),
    sa.UniqueConstraint('shipment_id', 'event_id', name='uq_shipment_events_shipment_event')
    )
    with op.batch_alter_table('shipment_events', schema=None) as batch_op:
        batch_op.create_index('ix_shipment_events_shipment_occurred', ['shipment_id', 'occurred_at'], unique=False)

    op.create_table('shipment_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('po_line_id', sa.Integer(), nullable=True),
    sa.Column('transfer_line_id', sa.Integer(), nullable=True),
    sa.Column('reservation_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('qty > 0', name=op.f('ck_shipment_lines_qty_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_shipment_lines_item_id_items')),
    sa.ForeignKeyConstraint(['po_line_id'], ['purchase_order_lines.id'], name=op.f('fk_shipment_lines_po_line_id_purchase_order_lines')),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_shipment_lines_reservation_id_reservations')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_shipment_lines_shipment_id_shipments')),
    sa.ForeignKeyConstraint(['transfer_line_id'], ['transfer_lines.id'], name=op.f('fk_shipment_lines_transfer_line_id_transfer_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_lines'))
    )
    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.create_index('ix_shipment_lines_po_line_id', ['po_line_id'], unique=False)
        batch_op.create_index('ix_shipment_lines_shipment_id', ['shipment_id'], unique=False)

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='posted', nullable=False))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))

        batch_op.create_check_constraint('status', "status IN ('posted','in_transit','delivered')")


def downgrade():
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_transfers_status'), type_='check')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('status')
    for table, indexes in (('shipment_lines', ('ix_shipment_lines_po_line_id', 'ix_shipment_lines_shipment_id')),
                           ('shipment_events', ('ix_shipment_events_shipment_occurred',)),
                           ('shipments', ('ix_shipments_kind_status', 'ix_shipments_po_id', 'ix_shipments_supplier_id',
                                          'ix_shipments_tracking'))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
    op.drop_table('unmatched_tracking_events')
    op.drop_table('carriers')
