"""purchasing trust: receipts move inbound shipments; supplier e-mail through an outbox

Revision ID: 0014
Revises: 0013

- shipment_lines.qty_received: what receipts booked against each inbound shipment line.
- shipments / shipment_events: three statuses of ours (partially_received, received, cancelled),
  ranked above every carrier status.
- outgoing_mail: the transactional outbox of e-mail to suppliers.
- Data: inbound shipments still open although their order was received, closed or cancelled are
  closed (received when the order received anything, else cancelled), and the lines of a received
  shipment count as received in full. Shipments of orders still partly open keep qty_received 0
  (which shipment a past receipt came on is unknown): the plan keeps expecting them, as before.
No app code is imported.
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

CARRIER = "'created','picked_up','in_transit','at_hub','out_for_delivery','delivered','returned'"
OURS = "'partially_received','received','cancelled'"


def _statuses(shipments: str, events: str) -> None:
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shipments_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_shipments_status'), f"status IN ({shipments})")
    with op.batch_alter_table('shipment_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shipment_events_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_shipment_events_status'), f"status IN ({events})")


def upgrade():
    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qty_received', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_shipment_lines_qty_received_range'),
                                         'qty_received >= 0 AND qty_received <= qty')
    _statuses(f"{CARRIER},{OURS}", f"{CARRIER},'exception',{OURS}")
    op.create_table(
        'outgoing_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipients', sa.Text(), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('source_type', sa.String(length=40), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=False),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_outgoing_mail_attempts_nonneg')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_mail_pending', ['sent_at', 'id'], unique=False)
        batch_op.create_index('ix_outgoing_mail_source', ['source_type', 'source_id'], unique=False)
    _close_shipments_of_ended_orders()


def _close_shipments_of_ended_orders() -> None:
    open_inbound = ("kind = 'inbound' AND status NOT IN ('delivered','returned','received','cancelled') "
                    "AND po_id IN (SELECT id FROM purchase_orders WHERE status {})")
    got_something = ("EXISTS (SELECT 1 FROM purchase_order_lines l WHERE l.po_id = shipments.po_id "
                     "AND l.qty_received > 0)")
    received = open_inbound.format("IN ('received','closed')") + " AND " + got_something
    op.execute("UPDATE shipment_lines SET qty_received = qty WHERE shipment_id IN "
               f"(SELECT id FROM shipments WHERE {received})")
    op.execute(f"UPDATE shipments SET status = 'received', status_rank = 8, late = false, late_reason = '' "
               f"WHERE {received}")
    nothing_came = open_inbound.format("IN ('closed','cancelled')")  # what is still open after the update above
    op.execute(f"UPDATE shipments SET status = 'cancelled', status_rank = 9, late = false, late_reason = '' "
               f"WHERE {nothing_came}")


def downgrade():
    op.execute("UPDATE shipments SET status = 'delivered', status_rank = 5 WHERE status IN ('received', "
               "'partially_received')")
    op.execute("UPDATE shipments SET status = 'returned', status_rank = 6 WHERE status = 'cancelled'")
    op.execute("DELETE FROM shipment_events WHERE status IN ('partially_received','received','cancelled')")
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_mail_source')
        batch_op.drop_index('ix_outgoing_mail_pending')
    op.drop_table('outgoing_mail')
    _statuses(CARRIER, f"{CARRIER},'exception'")
    with op.batch_alter_table('shipment_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shipment_lines_qty_received_range'), type_='check')
        batch_op.drop_column('qty_received')
