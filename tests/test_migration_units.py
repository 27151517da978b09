"""Migration 0013 registers the units items already use, so existing items and stock keep working."""
from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from scm.app import create_app
from tests.conftest import BASE_OVERRIDES
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)


def test_units_in_use_are_registered_with_3_decimals_and_the_standard_ones_with_theirs(empty_database_url):  # noqa: F811
    app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="0010")
        engine = create_engine(empty_database_url)
        with engine.begin() as conn:
            for sku, uom in (("A-1", "ea"), ("B-1", "drum"), ("C-1", "drum"), ("D-1", "kg")):
                conn.execute(text("INSERT INTO items (sku, name, uom, category, unit_cost, abc_class, is_core, "
                                  "active, forecast_freq, created_at, updated_at) VALUES (:sku, :sku, :uom, '', 0, "
                                  "'C', false, true, 'W', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                             {"sku": sku, "uom": uom})
            # 1.5 of a "box" item was posted before units had decimals: the unit must keep it valid.
            conn.execute(text("INSERT INTO items (sku, name, uom, category, unit_cost, abc_class, is_core, active, "
                              "forecast_freq, created_at, updated_at) VALUES ('E-1', 'E-1', 'box', '', 0, 'C', false, "
                              "true, 'W', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO warehouses (code, name, address, active, created_at) "
                              "VALUES ('WH-1', 'WH-1', '', true, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO stock_balances (item_id, warehouse_id, on_hand, reserved, updated_at) "
                              "SELECT i.id, w.id, 1500, 0, CURRENT_TIMESTAMP FROM items i, warehouses w "
                              "WHERE i.sku = 'E-1'"))
        upgrade()
        with engine.connect() as conn:
            units = dict(conn.execute(text("SELECT code, decimals FROM units_of_measure")).all())
        engine.dispose()
        from scm.extensions import db
        db.engine.dispose()
    assert units["drum"] == 3 and units["ea"] == 0 and units["kg"] == 3
    assert units["box"] == 1  # standard 0, but stock of 1.5 box exists
    assert {"pcs", "box", "g", "l", "ml", "m"} <= set(units)
