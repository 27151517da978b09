"""Demand history: ledger sales (net of reversals), imports and the API, with stock-outs flagged."""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from scm.models import DemandRecord, utcnow
from scm.services import importers
from scm.services.planning import demand
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ValidationFailed
from tests import factories as f

D = Decimal


@pytest.fixture
def setup(session):  # type: ignore[no-untyped-def]
    item, east = f.item(session, "DEM-1"), f.warehouse(session, "WH-EAST")
    return item, east


def test_ledger_sales_and_consumption_are_demand_but_scrap_and_reversed_sales_are_not(session, setup):
    item, east = setup
    f.stock(session, item, east, 50)
    for qty, reason in ((5, "sale"), (3, "consumption"), (7, "scrap")):
        stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D(qty), reason=reason,
                           actor=f.actor())
    mistake = stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D(10), reason="sale",
                                 actor=f.actor())
    stock_ledger.reverse(session, move_id=mistake.id, actor=f.actor())
    today = utcnow().date()
    history = demand.load_histories(session, as_of=today + timedelta(days=1))[(item.id, east.id)]
    assert history.quantities == {today: 8.0}
    # The day itself is not over: a forecast as of today does not see it.
    assert (item.id, east.id) not in demand.load_histories(session, as_of=today)


def test_running_out_flags_the_day_as_a_stockout(session, setup):
    item, east = setup
    f.stock(session, item, east, 4)
    stock_ledger.issue(session, item_id=item.id, warehouse_id=east.id, qty=D(4), reason="sale", actor=f.actor())
    today = utcnow().date()
    history = demand.load_histories(session, as_of=today + timedelta(days=1))[(item.id, east.id)]
    assert today in history.stockout


def test_recorded_demand_replaces_the_same_day_and_keeps_stockout_flags(session, setup):
    item, east = setup
    actor = f.actor()
    day = date(2026, 3, 2)
    demand.record_demand(session, [{"sku": "DEM-1", "warehouse": "wh-east", "date": "2026-03-02", "quantity": 4}],
                         source="api", actor=actor, today=date(2026, 3, 10))
    demand.record_demand(session, [{"sku": "DEM-1", "warehouse": "WH-EAST", "date": "2026-03-02", "quantity": "6",
                                    "stockout": True}], source="api", actor=actor, today=date(2026, 3, 10))
    assert session.scalar(select(func.count()).select_from(DemandRecord)) == 1
    history = demand.load_histories(session, as_of=date(2026, 3, 10))[(item.id, east.id)]
    assert history.quantities == {day: 6.0} and history.stockout == {day}


def test_bad_demand_records_name_the_record_and_field_and_store_nothing(session, setup):
    with pytest.raises(ValidationFailed) as raised:
        demand.record_demand(session, [
            {"sku": "DEM-1", "warehouse": "WH-EAST", "date": "2026-03-02", "quantity": 1},
            {"sku": "NOPE", "warehouse": "WH-X", "date": "2026-13-01", "quantity": -1},
            {"sku": "DEM-1", "warehouse": "WH-EAST", "date": "2030-01-01", "quantity": 1}],
            source="api", actor=f.actor(), today=date(2026, 3, 10))
    assert set(raised.value.field_errors) == {"records[1].sku", "records[1].warehouse", "records[1].date",
                                              "records[1].quantity", "records[2].date"}
    assert session.scalar(select(func.count()).select_from(DemandRecord)) == 0


def _book(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_demand_history_import_is_all_or_nothing(session, setup):
    admin = Actor.for_user(f.user(session, "admin"), "web")
    bad = _book([["SKU", "Warehouse", "Date", "Quantity"], ["DEM-1", "WH-EAST", date(2025, 1, 6), 3],
                 ["NOPE", "WH-EAST", date(2025, 1, 7), 2]])
    _batch, result = importers.preview(session, "demand_history", bad, "sales.xlsx", actor=admin)
    assert [(e.row, e.column) for e in result.errors] == [(3, "A")]
    good = _book([["SKU", "Warehouse", "Date", "Quantity", "Out of stock"],
                  ["DEM-1", "WH-EAST", date(2025, 1, 6), 3, "no"], ["DEM-1", "WH-EAST", date(2025, 1, 7), 0, "yes"]])
    batch, result = importers.preview(session, "demand_history", good, "sales.xlsx", actor=admin)
    importers.apply(session, batch.id, actor=admin)
    rows = session.execute(select(DemandRecord.day, DemandRecord.qty, DemandRecord.stockout)
                           .order_by(DemandRecord.day)).all()
    assert rows == [(date(2025, 1, 6), D(3), False), (date(2025, 1, 7), D(0), True)]


def test_promotions_import_checks_dates(session, setup):
    admin = Actor.for_user(f.user(session, "admin"), "web")
    data = _book([["SKU", "Warehouse", "First day", "Last day", "Expected uplift"],
                  ["DEM-1", "WH-EAST", date(2026, 5, 4), date(2026, 5, 1), 0.3]])
    _batch, result = importers.preview(session, "promotions", data, "promos.xlsx", actor=admin)
    assert [(e.row, e.column, e.message) for e in result.errors] == [(2, "D", "the last day is before the first day")]
