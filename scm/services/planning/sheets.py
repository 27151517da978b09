"""Spreadsheets of replenishment: policies (export, edit, import) and suggestions (export with the
arithmetic, edit quantity or supplier, re-import with a preview of the differences).

Registered in `scm.services.importers.IMPORTERS`. Both imports go through the same validation as
the pages (`replenishment_policy.clean`, `replenishment_approval.update_suggestion`) and apply every
row or none.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import CatalogEntry, Item, Suggestion, Supplier, Warehouse
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ValidationFailed
from scm.services.planning import approval as replenishment_approval
from scm.services.planning import figures as replenishment_figures
from scm.services.planning import policies as replenishment_policy
from scm.sheets import CellError, Column, EntitySpec, ParseResult
from scm.sheets.importer import Importer

POLICIES = EntitySpec("replenishment_policies", "Replenishment policies", [
    Column("sku", "SKU", "text", required=True, max_length=64, example="BOLT-M8"),
    Column("warehouse", "Warehouse", "text", required=True, max_length=16, example="WH-EAST"),
    Column("service_level", "Service level %", "decimal", places=2, min=Decimal(50), max=Decimal("99.9"),
           comment="Blank: by ABC class (A 98, B 95, C 90)", example="95"),
    Column("review_period_days", "Review period (days)", "integer", min=1, max=90, comment="Blank: 7"),
    Column("min_cover_days", "Minimum days of cover", "integer", min=0, max=90, comment="Blank: 3"),
    Column("safety_method", "Safety stock method", "choice", choices=("formula", "backtest"), example="formula"),
    Column("auto_order", "Auto-order", "boolean", example="no"),
    Column("defaults", "Using defaults", "text", max_length=200,
           comment="Information only (ignored on import): the values above that are defaults, not stored"),
], key_columns=("sku", "warehouse"))
DEFAULT_LABELS = {"service_level": "service level", "review_period_days": "review period",
                  "min_cover_days": "minimum cover", "safety_method": "method", "auto_order": "auto-order"}
SUGGESTIONS = EntitySpec("replenishment_suggestions", "Suggested orders", [
    Column("id", "Suggestion id", "integer", required=True, comment="Do not change"),
    Column("kind", "Kind", "text"), Column("sku", "SKU", "text"), Column("warehouse", "Warehouse", "text"),
    Column("from_warehouse", "Transfer from", "text"),
    Column("supplier", "Supplier", "text", max_length=32, comment="Supplier code (buy lines); edit to switch"),
    Column("qty", "Quantity", "decimal", required=True, places=3, min=Decimal(0), comment="0 dismisses the line"),
    Column("suggested_qty", "Suggested quantity", "decimal", places=3),
    Column("daily_demand", "Daily demand", "decimal", places=3), Column("sigma_daily", "σ daily", "decimal", places=3),
    Column("lead_time_days", "Lead time (days)", "decimal", places=2),
    Column("lead_time_sigma", "σ lead time", "decimal", places=2),
    Column("safety_stock", "Safety stock", "decimal", places=2),
    Column("reorder_point", "Reorder point", "decimal", places=2),
    Column("order_up_to", "Order-up-to", "decimal", places=2),
    Column("on_hand", "On hand", "decimal", places=3), Column("reserved", "Reserved", "decimal", places=3),
    Column("on_order", "On order", "decimal", places=3), Column("in_transit", "In transit", "decimal", places=3),
    Column("forecast_cover", "Forecast over L+R", "decimal", places=2),
    Column("safety_stock_cover", "Safety stock over L+R", "decimal", places=2),
    Column("position", "Position", "decimal", places=3), Column("need", "Need", "decimal", places=2),
    Column("stockout_on", "Stock-out date", "date"), Column("qty_short", "Quantity short", "decimal", places=3),
    Column("days_of_cover", "Days of cover", "decimal", places=1),
    Column("why", "Why now", "text"),
    Column("reason", "Reason", "text"),
], key_columns=("id",))
FIGURES = ("daily_demand", "sigma_daily", "lead_time_days", "lead_time_sigma", "safety_stock", "reorder_point",
           "order_up_to", "on_hand", "reserved", "on_order", "in_transit", "forecast_cover", "safety_stock_cover",
           "position", "need")


# ---------------------------------------------------------------- policies

def export_policies(session: Session) -> Iterable[dict[str, Any]]:
    """Every active item × active warehouse with the policy in force; "Using defaults" names the values
    that are defaults (by ABC class for the service level) rather than stored."""
    warehouses = session.execute(select(Warehouse.id, Warehouse.code).where(Warehouse.active.is_(True))
                                 .order_by(Warehouse.code)).all()
    stored = replenishment_policy.stored_rows(session)
    items = session.execute(select(Item.id, Item.sku, Item.abc_class).where(Item.active.is_(True)).order_by(Item.sku))
    for item_id, sku, abc_class in items:
        for warehouse_id, code in warehouses:
            row = stored.get((item_id, warehouse_id))
            policy = replenishment_policy.effective(abc_class, row, item_id, warehouse_id)
            defaults = replenishment_policy.default_fields(row)
            yield {"sku": sku, "warehouse": code, "service_level": policy.service_level,
                   "review_period_days": policy.review_period_days, "min_cover_days": policy.min_cover_days,
                   "safety_method": policy.safety_method, "auto_order": policy.auto_order,
                   "defaults": "all" if row is None else ", ".join(DEFAULT_LABELS[f] for f in defaults)}


def _keys(session: Session, result: ParseResult) -> tuple[dict[str, int], dict[str, int]]:
    skus = {r["sku"] for r in result.rows}
    items = dict(session.execute(select(Item.sku, Item.id).where(Item.sku.in_(skus))).all()) if skus else {}
    return items, dict(session.execute(select(Warehouse.code, Warehouse.id)).all())


def check_policies(session: Session, result: ParseResult) -> list[CellError]:
    items, warehouses = _keys(session, result)
    errors = []
    for number, row in zip(result.row_numbers, result.rows):
        if row["sku"] not in items:
            errors.append(result.locate(number, "sku", "no item with this SKU", row["sku"]))
        if row["warehouse"] not in warehouses:
            errors.append(result.locate(number, "warehouse", "no warehouse with this code", row["warehouse"]))
    return errors


def apply_policies(session: Session, result: ParseResult, actor: Actor) -> str:
    """Store the rows that change the policy in force; a row equal to it (an unchanged export) stores nothing."""
    items, warehouses = _keys(session, result)
    stored = replenishment_policy.stored_rows(session, list(items.values()))
    classes = dict(session.execute(select(Item.id, Item.abc_class).where(Item.id.in_(list(items.values())))).all())
    saved = 0
    for row in result.rows:
        key = (items[row["sku"]], warehouses[row["warehouse"]])
        data = replenishment_policy.changes(classes[key[0]], stored.get(key),
                                            {k: row.get(k) for k in replenishment_policy.FIELDS})
        if data is not None:
            replenishment_policy.set_policy(session, *key, data, actor=actor)
            saved += 1
    unchanged = len(result.rows) - saved
    return f"{saved} polic{'y' if saved == 1 else 'ies'} saved, {unchanged} unchanged"


# ---------------------------------------------------------------- suggestions

def export_suggestions(session: Session) -> Iterable[dict[str, Any]]:
    """Every open suggestion with its arithmetic and the pair's figures (`replenishment_figures`)."""
    for row, sku, _name, code, supplier, source in replenishment_approval.open_suggestions(session, limit=100000):
        arithmetic = {k: Decimal(str(row.details.get(k, 0))) for k in FIGURES}
        pair = replenishment_figures.from_json(row.details)
        yield {"id": row.id, "kind": row.kind, "sku": sku, "warehouse": code, "from_warehouse": source or "",
               "supplier": supplier or "", "qty": row.qty, "suggested_qty": row.suggested_qty, **arithmetic,
               "stockout_on": pair.stockout_on, "qty_short": pair.qty_short, "days_of_cover": pair.days_of_cover,
               "why": row.details.get("why", ""), "reason": row.reason}


def _suppliers(session: Session, result: ParseResult) -> dict[str, int]:
    codes = {r["supplier"] for r in result.rows if r.get("supplier")}
    return dict(session.execute(select(Supplier.code, Supplier.id).where(Supplier.code.in_(codes))).all()) \
        if codes else {}


def check_suggestions(session: Session, result: ParseResult) -> list[CellError]:
    ids = [r["id"] for r in result.rows]
    found = {s.id: s for s in session.scalars(select(Suggestion).where(Suggestion.id.in_(ids)))}
    suppliers = _suppliers(session, result)
    offered = set(session.execute(select(CatalogEntry.item_id, CatalogEntry.supplier_id).where(
        CatalogEntry.active.is_(True), CatalogEntry.item_id.in_({s.item_id for s in found.values()}))).all())
    errors = []
    for number, row in zip(result.row_numbers, result.rows):
        current = found.get(row["id"])
        if current is None or current.status != "open":
            errors.append(result.locate(number, "id", "no open suggestion with this id (run the plan and export "
                                                      "again)", row["id"]))
            continue
        code = row.get("supplier")
        if current.kind == "buy" and code and (code not in suppliers or (current.item_id, suppliers[code]) not in offered):
            errors.append(result.locate(number, "supplier", "no active catalog entry of this supplier for the item",
                                        code))
    return errors


def diff_suggestions(session: Session, result: ParseResult) -> list[dict[str, Any]]:
    """The rows whose quantity or supplier differs from the stored suggestion (for the preview)."""
    found = {row.id: (row, sku, code, supplier) for row, sku, _n, code, supplier, _src
             in replenishment_approval.open_suggestions(session, limit=100000)}
    out = []
    for row in result.rows:
        stored = found.get(row["id"])
        if stored is None:
            continue
        suggestion, sku, code, supplier = stored
        new_supplier = row.get("supplier") or supplier or ""
        if row["qty"] != suggestion.qty or (suggestion.kind == "buy" and new_supplier != (supplier or "")):
            out.append({"id": suggestion.id, "sku": sku, "warehouse": code, "kind": suggestion.kind,
                        "qty_before": suggestion.qty, "qty_after": row["qty"], "supplier_before": supplier or "",
                        "supplier_after": new_supplier})
    return out


def apply_suggestions(session: Session, result: ParseResult, actor: Actor) -> str:
    suppliers = _suppliers(session, result)
    changes = diff_suggestions(session, result)
    for change in changes:
        try:
            replenishment_approval.update_suggestion(
                session, change["id"], qty=change["qty_after"], actor=actor,
                supplier_id=suppliers.get(change["supplier_after"]) if change["kind"] == "buy" else None)
        except ValidationFailed as failed:
            raise ValidationFailed({f"suggestion {change['id']}": [m for ms in failed.field_errors.values()
                                                                   for m in ms]}) from None
    return f"{len(changes)} suggestion(s) changed, {len(result.rows) - len(changes)} unchanged"


# This area's entities of the Spreadsheets page (`scm.services.importers` joins every area's).
IMPORTERS: dict[str, Importer] = {
    "replenishment_policies": Importer(POLICIES, check_policies, apply_policies, export_policies, ("admin", "buyer"),
                               "Replenishment policies"),
    "replenishment_suggestions": Importer(SUGGESTIONS, check_suggestions, apply_suggestions, export_suggestions,
                                  ("admin", "buyer"), "Suggested orders (edit quantities and suppliers)", diff=diff_suggestions),
}
