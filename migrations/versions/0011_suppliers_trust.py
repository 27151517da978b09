"""suppliers trust: scorecard evidence, minimum evidence and blocking settings, order-block overrides,
sourcing reviews

Revision ID: 0011
Revises: 0010

Scorecard snapshots keep how much evidence each metric rests on and whether the supplier was rated
(enough evidence) and blocked by its standing; the settings gain the evidence minimums and the
blocking rule. No app code is imported.
"""
from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SNAPSHOT_INTS = ('lines', 'overdue_lines', 'received_receipts', 'priced_receipts', 'orders_scored', 'metrics_counted')


def upgrade():
    with op.batch_alter_table('scorecard_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_metrics', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('min_facts', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('block_standing', sa.String(length=16), server_default='probation',
                                      nullable=False))
        batch_op.add_column(sa.Column('block_after', sa.Integer(), server_default='3', nullable=False))
    with op.batch_alter_table('scorecard_snapshots', schema=None) as batch_op:
        for name in SNAPSHOT_INTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('qty_inspected', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rated', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('blocking', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'order_block_overrides',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'],
                                name=op.f('fk_order_block_overrides_supplier_id_suppliers')),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_order_block_overrides_created_by_users')),
        sa.ForeignKeyConstraint(['revoked_by'], ['users.id'], name=op.f('fk_order_block_overrides_revoked_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_block_overrides')),
    )
    op.create_index('ix_order_block_overrides_supplier', 'order_block_overrides', ['supplier_id'])
    op.create_table(
        'sourcing_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.Integer(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=True),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_by', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open','closed')", name=op.f('ck_sourcing_reviews_status')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_sourcing_reviews_supplier_id_suppliers')),
        sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_sourcing_reviews_closed_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sourcing_reviews')),
        sa.UniqueConstraint('supplier_id', 'period_start', name='uq_sourcing_reviews_supplier_period'),
    )
    op.create_index('ix_sourcing_reviews_status', 'sourcing_reviews', ['status'])


def downgrade():
    op.drop_index('ix_sourcing_reviews_status', table_name='sourcing_reviews')
    op.drop_table('sourcing_reviews')
    op.drop_index('ix_order_block_overrides_supplier', table_name='order_block_overrides')
    op.drop_table('order_block_overrides')
    with op.batch_alter_table('scorecard_snapshots', schema=None) as batch_op:
        for name in (*SNAPSHOT_INTS, 'qty_inspected', 'rated', 'blocking'):
            batch_op.drop_column(name)
    with op.batch_alter_table('scorecard_settings', schema=None) as batch_op:
        for name in ('min_metrics', 'min_facts', 'block_standing', 'block_after'):
            batch_op.drop_column(name)
