"""suppliers: profiles, contacts, addresses, documents, certifications, catalog and price breaks,
item certificate requirements, scorecard facts, settings and snapshots

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Quantities, money and percentages are scaled integers (scm.models.base.ScaledDecimal): BIGINT here.


def upgrade():
    op.create_table('catalog_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('supplier_sku', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('moq', sa.BigInteger(), nullable=False),
    sa.Column('order_multiple', sa.BigInteger(), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('capacity_per_week', sa.BigInteger(), nullable=False),
    sa.Column('split_share', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('primary','backup','alternate')", name=op.f('ck_catalog_entries_role')),
    sa.CheckConstraint('capacity_per_week > 0', name=op.f('ck_catalog_entries_capacity_positive')),
    sa.CheckConstraint('lead_time_days >= 0', name=op.f('ck_catalog_entries_lead_time_nonneg')),
    sa.CheckConstraint('moq >= 0', name=op.f('ck_catalog_entries_moq_nonneg')),
    sa.CheckConstraint('order_multiple >= 0', name=op.f('ck_catalog_entries_multiple_nonneg')),
    sa.CheckConstraint('split_share IS NULL OR (split_share > 0 AND split_share <= 10000)', name=op.f('ck_catalog_entries_split_share')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_catalog_entries_item_id_items')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_catalog_entries_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_entries')),
    sa.UniqueConstraint('supplier_id', 'item_id', name='uq_catalog_entries_supplier_item')
    )
    with op.batch_alter_table('catalog_entries', schema=None) as batch_op:
        batch_op.create_index('ix_catalog_entries_item_role', ['item_id', 'role'], unique=False)
    op.create_table('item_cert_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('cert_type', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_cert_requirements_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_cert_requirements')),
    sa.UniqueConstraint('item_id', 'cert_type', name='uq_item_cert_requirements_item_type')
    )
    op.create_table('scorecard_delivery_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('po_ref', sa.String(length=64), nullable=False),
    sa.Column('line_ref', sa.String(length=64), nullable=False),
    sa.Column('receipt_ref', sa.String(length=64), nullable=True),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('promised_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('qty_ordered', sa.BigInteger(), nullable=False),
    sa.Column('qty_received', sa.BigInteger(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('stated_lead_time_days', sa.Integer(), nullable=False),
    sa.Column('best_price', sa.BigInteger(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('qty_ordered > 0', name=op.f('ck_scorecard_delivery_facts_qty_ordered_positive')),
    sa.CheckConstraint('qty_received >= 0', name=op.f('ck_scorecard_delivery_facts_qty_received_nonneg')),
    sa.CheckConstraint('stated_lead_time_days >= 0', name=op.f('ck_scorecard_delivery_facts_stated_lead_time_nonneg')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_scorecard_delivery_facts_item_id_items')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_scorecard_delivery_facts_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_delivery_facts')),
    sa.UniqueConstraint('supplier_id', 'receipt_ref', name='uq_scorecard_delivery_facts_supplier_receipt')
    )
    with op.batch_alter_table('scorecard_delivery_facts', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_delivery_facts_item_supplier', ['item_id', 'supplier_id'], unique=False)
        batch_op.create_index('ix_scorecard_delivery_facts_supplier_received', ['supplier_id', 'received_on'], unique=False)
    op.create_table('scorecard_inspection_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('po_ref', sa.String(length=64), nullable=False),
    sa.Column('receipt_ref', sa.String(length=64), nullable=True),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('qty_inspected', sa.BigInteger(), nullable=False),
    sa.Column('qty_accepted', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('qty_accepted >= 0 AND qty_accepted <= qty_inspected', name=op.f('ck_scorecard_inspection_facts_accepted_range')),
    sa.CheckConstraint('qty_inspected > 0', name=op.f('ck_scorecard_inspection_facts_qty_inspected_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_scorecard_inspection_facts_item_id_items')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_scorecard_inspection_facts_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_inspection_facts')),
    sa.UniqueConstraint('supplier_id', 'receipt_ref', name='uq_scorecard_inspection_facts_supplier_receipt')
    )
    with op.batch_alter_table('scorecard_inspection_facts', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_inspection_facts_supplier_on', ['supplier_id', 'inspected_on'], unique=False)
    op.create_table('scorecard_po_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('po_ref', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_scorecard_po_facts_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_po_facts')),
    sa.UniqueConstraint('supplier_id', 'po_ref', name='uq_scorecard_po_facts_supplier_po')
    )
    with op.batch_alter_table('scorecard_po_facts', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_po_facts_sent_at', ['sent_at'], unique=False)
    op.create_table('scorecard_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('on_time_lines', sa.BigInteger(), nullable=True),
    sa.Column('on_time_qty', sa.BigInteger(), nullable=True),
    sa.Column('on_time', sa.BigInteger(), nullable=True),
    sa.Column('quality', sa.BigInteger(), nullable=True),
    sa.Column('lead_time_mean_days', sa.BigInteger(), nullable=True),
    sa.Column('lead_time_std_days', sa.BigInteger(), nullable=True),
    sa.Column('lead_time_stated_days', sa.BigInteger(), nullable=True),
    sa.Column('lead_time', sa.BigInteger(), nullable=True),
    sa.Column('fill_rate', sa.BigInteger(), nullable=True),
    sa.Column('price', sa.BigInteger(), nullable=True),
    sa.Column('responsiveness_hours', sa.BigInteger(), nullable=True),
    sa.Column('responsiveness', sa.BigInteger(), nullable=True),
    sa.Column('overall', sa.BigInteger(), nullable=True),
    sa.Column('standing', sa.String(length=16), nullable=True),
    sa.Column('replace_candidate', sa.Boolean(), nullable=False),
    sa.Column('deliveries', sa.Integer(), nullable=False),
    sa.Column('inspections', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("period IN ('month','quarter')", name=op.f('ck_scorecard_snapshots_period')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_scorecard_snapshots_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_snapshots')),
    sa.UniqueConstraint('supplier_id', 'period', 'period_start', name='uq_scorecard_snapshots_supplier_period')
    )
    with op.batch_alter_table('scorecard_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_snapshots_period_start', ['period', 'period_start'], unique=False)
    op.create_table('supplier_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('line1', sa.String(length=200), nullable=False),
    sa.Column('line2', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('postal_code', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('office','billing','shipping','plant')", name=op.f('ck_supplier_addresses_kind')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_supplier_addresses_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_addresses'))
    )
    with op.batch_alter_table('supplier_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_addresses_supplier_id'), ['supplier_id'], unique=False)
    op.create_table('supplier_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_supplier_contacts_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_contacts'))
    )
    with op.batch_alter_table('supplier_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_contacts_supplier_id'), ['supplier_id'], unique=False)
    op.create_table('price_breaks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('min_qty', sa.BigInteger(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint('min_qty >= 0', name=op.f('ck_price_breaks_min_qty_nonneg')),
    sa.CheckConstraint('unit_price >= 0', name=op.f('ck_price_breaks_unit_price_nonneg')),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from', name=op.f('ck_price_breaks_dates_ordered')),
    sa.ForeignKeyConstraint(['entry_id'], ['catalog_entries.id'], name=op.f('fk_price_breaks_entry_id_catalog_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_breaks'))
    )
    with op.batch_alter_table('price_breaks', schema=None) as batch_op:
        batch_op.create_index('ix_price_breaks_entry_min_qty', ['entry_id', 'min_qty'], unique=False)
    op.create_table('scorecard_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weight_on_time', sa.Integer(), nullable=False),
    sa.Column('weight_quality', sa.Integer(), nullable=False),
    sa.Column('weight_lead_time', sa.Integer(), nullable=False),
    sa.Column('weight_fill_rate', sa.Integer(), nullable=False),
    sa.Column('weight_price', sa.Integer(), nullable=False),
    sa.Column('weight_responsiveness', sa.Integer(), nullable=False),
    sa.Column('preferred_min', sa.Integer(), nullable=False),
    sa.Column('approved_min', sa.Integer(), nullable=False),
    sa.Column('watch_min', sa.Integer(), nullable=False),
    sa.Column('replace_after', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('preferred_min >= approved_min AND approved_min >= watch_min AND watch_min >= 0 AND preferred_min <= 100', name=op.f('ck_scorecard_settings_thresholds_ordered')),
    sa.CheckConstraint('replace_after >= 1', name=op.f('ck_scorecard_settings_replace_after_positive')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_scorecard_settings_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_settings'))
    )
    op.create_table('supplier_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('certificate','contract','insurance','other')", name=op.f('ck_supplier_documents_kind')),
    sa.CheckConstraint('size > 0', name=op.f('ck_supplier_documents_size_positive')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_supplier_documents_supplier_id_suppliers')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_supplier_documents_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_documents'))
    )
    with op.batch_alter_table('supplier_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_documents_supplier_id'), ['supplier_id'], unique=False)
    op.create_table('certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('cert_type', sa.String(length=64), nullable=False),
    sa.Column('number', sa.String(length=80), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('expires_on >= issued_on', name=op.f('ck_certifications_dates_ordered')),
    sa.ForeignKeyConstraint(['document_id'], ['supplier_documents.id'], name=op.f('fk_certifications_document_id_supplier_documents')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_certifications_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certifications'))
    )
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.create_index('ix_certifications_expires_on', ['expires_on'], unique=False)
        batch_op.create_index('ix_certifications_supplier_type', ['supplier_id', 'cert_type'], unique=False)
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('status_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('payment_terms', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False))
        batch_op.add_column(sa.Column('notes', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False))


def downgrade():
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('notes')
        batch_op.drop_column('currency')
        batch_op.drop_column('payment_terms')
        batch_op.drop_column('status_since')
        batch_op.drop_column('status_reason')
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.drop_index('ix_certifications_supplier_type')
        batch_op.drop_index('ix_certifications_expires_on')
    op.drop_table('certifications')
    with op.batch_alter_table('supplier_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_documents_supplier_id'))
    op.drop_table('supplier_documents')
    op.drop_table('scorecard_settings')
    with op.batch_alter_table('price_breaks', schema=None) as batch_op:
        batch_op.drop_index('ix_price_breaks_entry_min_qty')
    op.drop_table('price_breaks')
    with op.batch_alter_table('supplier_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_contacts_supplier_id'))
    op.drop_table('supplier_contacts')
    with op.batch_alter_table('supplier_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_addresses_supplier_id'))
    op.drop_table('supplier_addresses')
    with op.batch_alter_table('scorecard_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_snapshots_period_start')
    op.drop_table('scorecard_snapshots')
    with op.batch_alter_table('scorecard_po_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_po_facts_sent_at')
    op.drop_table('scorecard_po_facts')
    with op.batch_alter_table('scorecard_inspection_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_inspection_facts_supplier_on')
    op.drop_table('scorecard_inspection_facts')
    with op.batch_alter_table('scorecard_delivery_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_delivery_facts_supplier_received')
        batch_op.drop_index('ix_scorecard_delivery_facts_item_supplier')
    op.drop_table('scorecard_delivery_facts')
    op.drop_table('item_cert_requirements')
    with op.batch_alter_table('catalog_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_catalog_entries_item_role')
    op.drop_table('catalog_entries')
