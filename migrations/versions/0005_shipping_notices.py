"""shipping notices: advance shipping notices of suppliers and their lines

Revision ID: 0005
Revises: 0004

Quantities are scaled integers (BIGINT), as in scm.models.base; no app code is imported.
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shipping_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('po_id', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('carrier', sa.String(length=80), nullable=False),
        sa.Column('tracking_number', sa.String(length=80), nullable=False),
        sa.Column('ship_date', sa.Date(), nullable=False),
        sa.Column('expected_arrival', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.CheckConstraint('expected_arrival >= ship_date', name=op.f('ck_shipping_notices_dates_ordered')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_shipping_notices_created_by_users')),
        sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.id'], name=op.f('fk_shipping_notices_po_id_purchase_orders')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_shipping_notices_supplier_id_suppliers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_notices')),
    )
    with op.batch_alter_table('shipping_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipping_notices_po_id'), ['po_id'], unique=False)
        batch_op.create_index('ix_shipping_notices_supplier_po', ['supplier_id', 'po_id'], unique=False)

    op.create_table(
        'shipping_notice_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('po_line_id', sa.Integer(), nullable=False),
        sa.Column('qty', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('qty > 0', name=op.f('ck_shipping_notice_lines_qty_positive')),
        sa.ForeignKeyConstraint(['notice_id'], ['shipping_notices.id'], name=op.f('fk_shipping_notice_lines_notice_id_shipping_notices')),
        sa.ForeignKeyConstraint(['po_line_id'], ['purchase_order_lines.id'], name=op.f('fk_shipping_notice_lines_po_line_id_purchase_order_lines')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_notice_lines')),
        sa.UniqueConstraint('notice_id', 'po_line_id', name='uq_shipping_notice_lines_notice_po_line'),
    )
    with op.batch_alter_table('shipping_notice_lines', schema=None) as batch_op:
        batch_op.create_index('ix_shipping_notice_lines_po_line_id', ['po_line_id'], unique=False)


def downgrade():
    with op.batch_alter_table('shipping_notice_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_shipping_notice_lines_po_line_id')
    op.drop_table('shipping_notice_lines')
    with op.batch_alter_table('shipping_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_shipping_notices_supplier_po')
        batch_op.drop_index(batch_op.f('ix_shipping_notices_po_id'))
    op.drop_table('shipping_notices')
