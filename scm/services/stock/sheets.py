"""Opening stock and stock counts as a spreadsheet: one count document per warehouse named in the file.

Every row names its warehouse (the column is required; there is no default warehouse). The preview
shows each warehouse's differences (count_review) with the large variances listed; applying the
file posts nothing until those large lines are confirmed a second time, with the tokens the
confirmation page carries. The difference is always taken against on hand when the file is applied.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, StockBalance, StockCount, Warehouse
from scm.services.kernel.actors import Actor
from scm.services.stock import counts as count_review
from scm.services.stock import ledger as stock_ledger
from scm.services.stock import masterdata
from scm.services.stock import units as units_of_measure
from scm.services.stock.counts import CountReview, LargeCountVariance, VarianceLimits
from scm.sheets import CellError, Column, EntitySpec, ParseResult

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
