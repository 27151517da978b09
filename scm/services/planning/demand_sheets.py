"""Spreadsheets of past demand and planned promotions (registered in scm.services.importers)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import DemandRecord, Item, Warehouse, utcnow
from scm.services.kernel.actors import Actor
from scm.services.planning import demand
from scm.sheets import CellError, Column, EntitySpec, ParseResult
from scm.sheets.importer import Importer

DEMAND_HISTORY = EntitySpec("demand_history", "Demand history", [
    Column("sku", "SKU", "text", required=True, max_length=64, example="BOLT-M8"),
    Column("warehouse", "Warehouse", "text", required=True, max_length=16, example="WH-EAST"),
    Column("date", "Date", "date", required=True, min=date(2000, 1, 1), example="2025-03-14"),
    Column("quantity", "Quantity", "decimal", required=True, places=3, min=Decimal(0), example="12",
           comment="Units sold or consumed that day (not what was shipped late)"),
    Column("stockout", "Out of stock", "boolean", example="no",
           comment="yes when the item could not be supplied that day: the forecaster will not learn it as low demand"),
], key_columns=("sku", "warehouse", "date"))
PROMOTIONS = EntitySpec("promotions", "Promotions", [
    Column("sku", "SKU", "text", required=True, max_length=64),
    Column("warehouse", "Warehouse", "text", required=True, max_length=16),
    Column("starts_on", "First day", "date", required=True),
    Column("ends_on", "Last day", "date", required=True),
    Column("uplift", "Expected uplift", "decimal", required=True, places=3, min=Decimal("-0.99"), max=Decimal(10),
           comment="0.3 means +30% demand while the promotion runs"),
    Column("note", "Note", "text", max_length=200),
], key_columns=("sku", "warehouse", "starts_on"))


def _lookups(session: Session, result: ParseResult) -> tuple[dict[str, int], dict[str, int]]:
    skus = sorted({r["sku"] for r in result.rows})
    items: dict[str, int] = {}
    for start in range(0, len(skus), 5000):
        items.update(session.execute(select(Item.sku, Item.id).where(Item.sku.in_(skus[start:start + 5000]))).all())
    return items, dict(session.execute(select(Warehouse.code, Warehouse.id)).all())


def _check_refs(session: Session, result: ParseResult) -> list[CellError]:
    items, warehouses = _lookups(session, result)
    errors = []
    for number, row in zip(result.row_numbers, result.rows):
        if row["sku"] not in items:
            errors.append(result.locate(number, "sku", "no item with this SKU", row["sku"]))
        if row["warehouse"].upper() not in warehouses:
            errors.append(result.locate(number, "warehouse", "no warehouse with this code", row["warehouse"]))
    return errors


def check_demand(session: Session, result: ParseResult) -> list[CellError]:
    today = utcnow().date()
    errors = _check_refs(session, result)
    errors += [result.locate(n, "date", "demand cannot be in the future", r["date"])
               for n, r in zip(result.row_numbers, result.rows) if r["date"] > today]
    return errors


def apply_demand(session: Session, result: ParseResult, actor: Actor) -> str:
    records = [{"sku": r["sku"], "warehouse": r["warehouse"], "date": r["date"], "quantity": r["quantity"],
                "stockout": bool(r["stockout"])} for r in result.rows]
    written = 0
    for start in range(0, len(records), demand.MAX_RECORDS_PER_POST):
        written += demand.record_demand(session, records[start:start + demand.MAX_RECORDS_PER_POST],
                                        source="import", actor=actor, today=utcnow().date())
    return f"{written} day(s) of demand recorded"


def export_demand(session: Session) -> Iterable[dict[str, Any]]:
    stmt = (select(Item.sku, Warehouse.code, DemandRecord.day, DemandRecord.qty, DemandRecord.stockout)
            .join(Item, Item.id == DemandRecord.item_id).join(Warehouse, Warehouse.id == DemandRecord.warehouse_id)
            .order_by(Item.sku, Warehouse.code, DemandRecord.day).execution_options(yield_per=5000))
    for sku, code, day, qty, stockout in session.execute(stmt):
        yield {"sku": sku, "warehouse": code, "date": day, "quantity": qty, "stockout": stockout}


def check_promotions(session: Session, result: ParseResult) -> list[CellError]:
    errors = _check_refs(session, result)
    errors += [result.locate(n, "ends_on", "the last day is before the first day", r["ends_on"])
               for n, r in zip(result.row_numbers, result.rows) if r["ends_on"] < r["starts_on"]]
    return errors


def apply_promotions(session: Session, result: ParseResult, actor: Actor) -> str:
    items, warehouses = _lookups(session, result)
    for row in result.rows:
        demand.create_promotion(session, {
            "item_id": items[row["sku"]], "warehouse_id": warehouses[row["warehouse"].upper()],
            "starts_on": row["starts_on"], "ends_on": row["ends_on"], "uplift": row["uplift"],
            "note": row["note"] or ""}, actor=actor)
    return f"{len(result.rows)} promotion(s) planned"


def export_promotions(session: Session) -> Iterable[dict[str, Any]]:
    for promo, sku, code in session.execute(demand.promotions_query()):
        yield {"sku": sku, "warehouse": code, "starts_on": promo.starts_on, "ends_on": promo.ends_on,
               "uplift": Decimal(str(promo.uplift)), "note": promo.note}


# This area's entities of the Spreadsheets page (`scm.services.importers` joins every area's).
IMPORTERS: dict[str, Importer] = {
    "demand_history": Importer(DEMAND_HISTORY, check_demand, apply_demand, export_demand, ("admin", "buyer"),
                               "Demand history (past sales)"),
    "promotions": Importer(PROMOTIONS, check_promotions, apply_promotions, export_promotions, ("admin", "buyer"),
                           "Promotions"),
}
