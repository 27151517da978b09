"""The stock area's spreadsheets: items, warehouses, opening stock and stock counts, and the stock
value by warehouse (export only). Registered by `scm.services.importers`.

Counts: every row names its warehouse (the column is required; there is no default warehouse). The
preview shows each warehouse's differences (count_review) with the large variances listed; applying
the file posts nothing until those large lines are confirmed a second time, with the tokens the
confirmation page carries. The difference is always taken against on hand when the file is applied.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, StockBalance, StockCount, Warehouse
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ImportRejected, ValidationFailed
from scm.services.stock import counts as count_review
from scm.services.stock import ledger as stock_ledger
from scm.services.stock import masterdata
from scm.services.stock import queries as stock_queries
from scm.services.stock import units as units_of_measure
from scm.services.stock.counts import CountReview, LargeCountVariance, VarianceLimits
from scm.sheets import CellError, Column, EntitySpec, ParseResult
from scm.sheets.importer import Importer

CHUNK = 5000
STOCK_COUNTS = EntitySpec("stock_counts", "Stock count", [
    Column("warehouse", "Warehouse", "text", required=True, max_length=16, example="WH-EAST",
           comment="Warehouse code (required on every row: there is no default warehouse)"),
    Column("sku", "SKU", "text", required=True, max_length=64, example="BOLT-M8"),
    Column("counted", "Counted quantity", "decimal", required=True, places=3, min=Decimal(0), example="120",
           comment="What is on the shelf, in the item's unit (whole numbers for ea, pcs, box…)"),
], key_columns=("warehouse", "sku"))


def _lookups(session: Session, result: ParseResult) -> tuple[dict[str, Any], dict[str, Warehouse]]:
    """SKU → (id, uom, decimals) and code → warehouse, for the rows of the file."""
    skus = sorted({row["sku"] for row in result.rows})
    items: dict[str, Any] = {}
    for start in range(0, len(skus), CHUNK):
        items.update({r.sku: r for r in session.execute(
            select(Item.sku, Item.id, Item.uom).where(Item.sku.in_(skus[start:start + CHUNK])))})
    warehouses = {w.code: w for w in masterdata.list_warehouses(session)}
    return items, warehouses


def _per_warehouse(session: Session, result: ParseResult) -> dict[int, tuple[Warehouse, list[tuple[int, Decimal]]]]:
    items, warehouses = _lookups(session, result)
    grouped: dict[int, tuple[Warehouse, list[tuple[int, Decimal]]]] = {}
    for row in result.rows:
        warehouse = warehouses[row["warehouse"].upper()]
        grouped.setdefault(warehouse.id, (warehouse, []))[1].append((items[row["sku"]].id, row["counted"]))
    return dict(sorted(grouped.items()))


def check_counts(session: Session, result: ParseResult) -> list[CellError]:
    """Unknown warehouses and SKUs, more decimals than the item's unit allows, counts below what is reserved."""
    items, warehouses = _lookups(session, result)
    allowed = units_of_measure.unit_decimals(session, [r.id for r in items.values()])
    reserved = _reserved(session, items, warehouses, result)
    errors = []
    for number, row in zip(result.row_numbers, result.rows):
        warehouse, item = warehouses.get(row["warehouse"].upper()), items.get(row["sku"])
        if warehouse is None:
            errors.append(result.locate(number, "warehouse", "no warehouse with this code", row["warehouse"]))
        if item is None:
            errors.append(result.locate(number, "sku", "no item with this SKU", row["sku"]))
            continue
        if units_of_measure.places(row["counted"]) > allowed[item.id]:
            errors.append(result.locate(number, "counted", units_of_measure.too_precise_message(
                item.sku, item.uom, allowed[item.id]), row["counted"]))
        held = reserved.get((item.id, warehouse.id)) if warehouse else None
        if held and row["counted"] < held:
            errors.append(result.locate(number, "counted", f"{held.normalize():f} of {item.sku} are reserved in "
                                        f"{warehouse.code}; release them or count at least that", row["counted"]))
    return errors


def _reserved(session: Session, items: dict[str, Any], warehouses: dict[str, Warehouse],
              result: ParseResult) -> dict[tuple[int, int], Decimal]:
    ids = sorted({r.id for r in items.values()})
    out: dict[tuple[int, int], Decimal] = {}
    for start in range(0, len(ids), CHUNK):
        out.update({(r.item_id, r.warehouse_id): r.reserved for r in session.execute(
            select(StockBalance.item_id, StockBalance.warehouse_id, StockBalance.reserved).where(
                StockBalance.item_id.in_(ids[start:start + CHUNK]), StockBalance.reserved > 0))})
    return out


def review_counts(session: Session, result: ParseResult, limits: VarianceLimits) -> list[CountReview]:
    """Each warehouse's differences as the file would post them now (nothing is written)."""
    return [count_review.review_count(session, warehouse_id=warehouse.id, counts=lines, limits=limits)
            for warehouse, lines in _per_warehouse(session, result).values()]


def apply_counts(session: Session, result: ParseResult, actor: Actor, options: Mapping[str, Any]) -> str:
    """Post one count per warehouse, all or none. `options`: `config` (the variance limits) and
    `confirm` (the confirmation page's fields: reviewed-<code> and large-<code> tokens)."""
    limits = VarianceLimits.from_config(options.get("config") or {})
    confirm = options.get("confirm") or {}
    posted: list[tuple[StockCount, Warehouse]] = []
    unconfirmed: list[CountReview] = []
    for warehouse, lines in _per_warehouse(session, result).values():
        try:
            posted.append((stock_ledger.post_count(
                session, warehouse_id=warehouse.id, counts=lines, actor=actor, note="imported stock count",
                limits=limits, confirmed_large=confirm.get(f"large-{warehouse.code}"),
                reviewed=confirm.get(f"reviewed-{warehouse.code}")), warehouse))
        except LargeCountVariance as asked:  # look at every warehouse, then ask once for all of them
            unconfirmed.extend(asked.reviews)
    if unconfirmed:
        raise LargeCountVariance(unconfirmed)
    summary = "; ".join(count_review.posted_message(c.number, w.code, c.differences_posted) for c, w in posted)
    stale = [w.code for c, w in posted if c.changed_since_review]
    if stale:
        summary += (f" (on hand changed in {', '.join(stale)} since the preview: the differences were taken "
                    "against on hand when the file was applied)")
    return summary


def export_counts(session: Session) -> Iterable[dict[str, Any]]:
    """Current on hand per item and warehouse: a count sheet to fill in, or a stock report."""
    stmt = (select(Warehouse.code, Item.sku, StockBalance.on_hand)
            .join(Item, Item.id == StockBalance.item_id).join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
            .order_by(Warehouse.code, Item.sku).execution_options(yield_per=5000))
    for code, sku, on_hand in session.execute(stmt):
        yield {"warehouse": code, "sku": sku, "counted": on_hand}


# ---------------------------------------------------------------- items and warehouses

ITEMS = EntitySpec("items", "Items", [
    Column("sku", "SKU", "text", required=True, max_length=64, comment="Unique item code", example="BOLT-M8"),
    Column("name", "Name", "text", required=True, max_length=200, example="Hex bolt M8"),
    Column("uom", "Unit", "text", required=True, max_length=16, example="ea",
           comment="A unit code from Admin → Units of measure (ea, pcs, box, kg, l, m…)"),
    Column("category", "Category", "text", max_length=80, example="Fasteners"),
    Column("unit_cost", "Unit cost", "decimal", places=4, min=Decimal(0), example="0.12"),
    Column("abc_class", "ABC class", "choice", choices=("A", "B", "C"), example="B"),
    Column("is_core", "Core item", "boolean", example="no"),
    Column("active", "Active", "boolean", example="yes"),
], key_columns=("sku",))
WAREHOUSES = EntitySpec("warehouses", "Warehouses", [
    Column("code", "Code", "text", required=True, max_length=16, example="WH-EAST"),
    Column("name", "Name", "text", required=True, max_length=120, example="East DC"),
    Column("address", "Address", "text", max_length=400),
    Column("latitude", "Latitude", "decimal", places=6, min=Decimal(-90), max=Decimal(90)),
    Column("longitude", "Longitude", "decimal", places=6, min=Decimal(-180), max=Decimal(180)),
    Column("active", "Active", "boolean", example="yes"),
], key_columns=("code",))

def _cleaned_by(clean: Callable[[dict], dict]) -> Callable[[Session, ParseResult], list[CellError]]:
    """A checker that runs the entity's own validation (the one forms and the API use) on every row."""
    def check(_session: Session, result: ParseResult) -> list[CellError]:
        errors = []
        for number, row in zip(result.row_numbers, result.rows):
            try:
                clean({k: v for k, v in row.items() if v is not None})
            except ValidationFailed as failed:
                errors.extend(result.locate(number, key, msg, row.get(key))
                              for key, msgs in failed.field_errors.items() for msg in msgs)
        return errors
    return check


def _check_items(session: Session, result: ParseResult) -> list[CellError]:
    """The item form's own validation on every row, against the registered units of measure."""
    known = units_of_measure.known_codes(session)
    return _cleaned_by(lambda data: masterdata.clean_item(data, units=known))(session, result)


def _apply_items(session: Session, result: ParseResult, actor: Actor) -> str:
    existing = _by_key(session, Item, Item.sku, [r["sku"] for r in result.rows])
    created = updated = 0
    for row in result.rows:
        data = {k: v for k, v in row.items() if v is not None}
        if row["sku"] in existing:
            masterdata.update_item(session, existing[row["sku"]], data, actor=actor)
            updated += 1
        else:
            masterdata.create_item(session, data, actor=actor)
            created += 1
    return f"{created} item(s) created, {updated} updated"


def _export_items(session: Session) -> Iterable[dict[str, Any]]:
    for item in session.scalars(select(Item).order_by(Item.sku).execution_options(yield_per=2000)):
        yield {c.key: getattr(item, c.key) for c in ITEMS.columns}


# ---------------------------------------------------------------- warehouses

def _apply_warehouses(session: Session, result: ParseResult, actor: Actor) -> str:
    existing = _by_key(session, Warehouse, Warehouse.code, [r["code"].upper() for r in result.rows])
    created = updated = 0
    for row in result.rows:
        data = {k: (float(v) if k in ("latitude", "longitude") else v) for k, v in row.items() if v is not None}
        if row["code"].upper() in existing:
            masterdata.update_warehouse(session, existing[row["code"].upper()], data, actor=actor)
            updated += 1
        else:
            masterdata.create_warehouse(session, data, actor=actor)
            created += 1
    return f"{created} warehouse(s) created, {updated} updated"


def _export_warehouses(session: Session) -> Iterable[dict[str, Any]]:
    for warehouse in masterdata.list_warehouses(session):
        yield {c.key: getattr(warehouse, c.key) for c in WAREHOUSES.columns}


STOCK_VALUE = EntitySpec("stock_value", "Stock value", [
    Column("warehouse", "Warehouse", "text"), Column("value", "Stock value", "decimal")])


def _check_stock_value(_session: Session, result: ParseResult) -> list[CellError]:
    return [result.locate(result.row_numbers[0] if result.row_numbers else 1, None,
                          "stock value is computed from the stock and unit costs; it cannot be imported")]


def _apply_stock_value(_session: Session, _result: ParseResult, _actor: Actor) -> str:
    raise ImportRejected("stock value cannot be imported")


def _export_stock_value(session: Session) -> Iterable[dict[str, Any]]:
    """Stock value per warehouse and in total (`stock_queries.stock_values`, as the dashboard shows it)."""
    values = stock_queries.stock_values(session)
    yield from ({"warehouse": code, "value": value} for code, value in values.by_warehouse)
    yield {"warehouse": "Total", "value": values.total}



def _by_key(session: Session, model: Any, column: Any, keys: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), CHUNK):
        for obj in session.scalars(select(model).where(column.in_(unique[start:start + CHUNK]))):
            found[getattr(obj, column.key)] = obj
    return found


IMPORTERS: dict[str, Importer] = {
    "items": Importer(ITEMS, _check_items, _apply_items, _export_items, ("admin", "buyer"), "Items"),
    "warehouses": Importer(WAREHOUSES, _cleaned_by(masterdata.clean_warehouse), _apply_warehouses, _export_warehouses,
                           ("admin",), "Warehouses"),
    "stock_counts": Importer(STOCK_COUNTS, check_counts, apply_counts, export_counts, ("admin", "warehouse"),
                             "Opening stock and stock counts", review=review_counts),
    "stock_value": Importer(STOCK_VALUE, _check_stock_value, _apply_stock_value, _export_stock_value, (),
                            "Stock value by warehouse (export only)"),
}
