"""units of measure: the decimals a quantity of an item may have

Revision ID: 0013
Revises: 0012

`units_of_measure` (code, name, decimals 0–3) starts with a small standard list and with every unit
items already use; a unit in use that is not in the standard list gets 3 decimals (what the ledger
allowed before), and a standard unit gets at least the decimals its items' stock already holds
(1.5 "ea" posted before this rule stays valid and readable), so existing items and stock keep working. `items.uom` keeps the code (no foreign
key: on SQLite that would rebuild the items table every stock row references). No app code is imported.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

STANDARD_UNITS = (
    ("ea", "each", 0), ("pcs", "pieces", 0), ("box", "box", 0), ("pack", "pack", 0), ("pair", "pair", 0),
    ("set", "set", 0), ("kg", "kilogram", 3), ("g", "gram", 1), ("l", "litre", 3), ("ml", "millilitre", 1),
    ("m", "metre", 3),
)
UNKNOWN_UNIT_DECIMALS = 3


def upgrade():
    units = op.create_table(
        'units_of_measure',
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('decimals', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('decimals BETWEEN 0 AND 3', name=op.f('ck_units_of_measure_decimals')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_units_of_measure')),
    )
    now = datetime.now(timezone.utc)
    standard = {code for code, _name, _decimals in STANDARD_UNITS}
    in_use = [row[0] for row in op.get_bind().execute(sa.text("SELECT DISTINCT uom FROM items"))]
    rows = [{"code": c, "name": n, "decimals": max(d, _decimals_in_use(c)), "created_at": now}
            for c, n, d in STANDARD_UNITS]
    rows += [{"code": code, "name": code, "decimals": UNKNOWN_UNIT_DECIMALS, "created_at": now}
             for code in sorted(set(in_use) - standard) if code]
    op.bulk_insert(units, rows)


def _decimals_in_use(code):
    """The most decimals any balance or move of an item in this unit holds (quantities are stored ×1000)."""
    places = ("CASE WHEN {q} % 10 <> 0 THEN 3 WHEN {q} % 100 <> 0 THEN 2 WHEN {q} % 1000 <> 0 THEN 1 ELSE 0 END")
    found = 0
    for table, column in (("stock_balances", "on_hand"), ("stock_balances", "reserved"), ("stock_moves", "qty_delta")):
        value = op.get_bind().execute(sa.text(
            f"SELECT MAX({places.format(q='t.' + column)}) FROM {table} t JOIN items i ON i.id = t.item_id "
            "WHERE i.uom = :code"), {"code": code}).scalar()
        found = max(found, value or 0)
    return found


def downgrade():
    op.drop_table('units_of_measure')
