"""Spreadsheets of purchase orders: the order list and order lines (export only, registered in
`scm.services.importers.IMPORTERS`), lines imported into one draft order, and a supplier's open orders.

Importing lines needs a target order, so it is not a registry entry but `import_lines(po_id, ...)`:
only a draft takes lines; every row is checked (cells, then SKU, catalog, MOQ and multiple, price,
promised date) and every error names its row and column; then all rows are added or none.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import CatalogEntry, Item, PurchaseOrder, PurchaseOrderLine, Supplier, Warehouse
from scm.models.purchasing import AWAITING_GOODS_STATUSES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ImportRejected, InvalidTransition, PermissionDenied
from scm.services.purchasing import figures as order_figures
from scm.services.purchasing import orders as purchasing
from scm.services.purchasing import queries as purchase_queries
from scm.services.suppliers import profiles as suppliers
from scm.sheets import CellError, Column, EntitySpec, ParseResult, SpreadsheetRejected, export_rows, read_rows
from scm.sheets.importer import Importer

PURCHASE_ORDERS = EntitySpec("purchase_orders", "Purchase orders", [
    Column("number", "PO number", "text"), Column("status", "Status", "text"),
    Column("supplier", "Supplier", "text"), Column("warehouse", "Warehouse", "text"),
    Column("currency", "Currency", "text"), Column("ordered_on", "Ordered on", "date"),
    Column("lines", "Lines", "integer"), Column("total", "Total", "decimal", places=4),
    Column("open_qty", "Open quantity", "decimal", places=3),
    Column("sent_at", "Sent at", "datetime"), Column("confirmed_at", "Confirmed at", "datetime"),
    Column("cancel_reason", "Cancel reason", "text"), Column("reject_reason", "Reject reason", "text"),
])
# The columns a buyer fills in for a draft; the line export and the open-orders workbook start with them.
DRAFT_LINES = EntitySpec("purchase_order_draft_lines", "Order lines", [
    Column("sku", "SKU", "text", required=True, max_length=64, example="BOLT-M8"),
    Column("quantity", "Quantity", "decimal", required=True, places=3, min=Decimal("0.001"), example="100"),
    Column("promised_date", "Promised date", "date", example="2026-04-01",
           comment="On or after the order date; blank for none"),
    Column("unit_price", "Unit price", "decimal", places=4, min=Decimal(0),
           comment="Blank: the supplier's catalog price break for the quantity"),
])
_PROGRESS = [
    Column("confirmed_qty", "Confirmed quantity", "decimal", places=3),
    Column("confirmed_date", "Confirmed date", "date"),
    Column("qty_received", "Received", "decimal", places=3),
    Column("qty_accepted", "Accepted", "decimal", places=3),
    Column("qty_rejected", "Rejected", "decimal", places=3),
    Column("open_qty", "Open quantity", "decimal", places=3),
]
PO_LINES = EntitySpec("purchase_order_lines", "Purchase order lines", [
    Column("number", "PO number", "text"), Column("status", "Status", "text"),
    Column("supplier", "Supplier", "text"), Column("warehouse", "Warehouse", "text"),
    Column("line_id", "Line id", "integer"), *DRAFT_LINES.columns,
    Column("currency", "Currency", "text"), *_PROGRESS,
])
OPEN_ORDERS = EntitySpec("supplier_open_orders", "Open orders", [
    Column("number", "PO number", "text"), Column("status", "Status", "text"),
    Column("ordered_on", "Ordered on", "date"), Column("warehouse", "Ship to", "text"),
    Column("line_id", "Line id", "integer"), Column("supplier_sku", "Your SKU", "text"), *DRAFT_LINES.columns,
    Column("currency", "Currency", "text"), *_PROGRESS,
])


# ---------------------------------------------------------------- exports

def export_orders(session: Session) -> Iterable[dict[str, Any]]:
    stmt = purchase_queries.order_query().order_by(None).order_by(PurchaseOrder.id)
    rows = session.execute(stmt).all()
    figures = order_figures.order_figures(session, [order.id for order, _s, _w in rows])
    for order, supplier_code, warehouse_code in rows:
        yield {"number": order.number, "status": order.status, "supplier": supplier_code,
               "warehouse": warehouse_code, "currency": order.currency, "ordered_on": order.ordered_on,
               "lines": len(order.lines), "total": figures[order.id].total,
               "open_qty": figures[order.id].open_qty, "sent_at": order.sent_at,
               "confirmed_at": order.confirmed_at, "cancel_reason": order.cancel_reason,
               "reject_reason": order.reject_reason}


def _line_row(order: PurchaseOrder, line: PurchaseOrderLine, sku: str,
              figures: order_figures.OrderFigures) -> dict[str, Any]:
    return {"number": order.number, "status": order.status, "line_id": line.id, "sku": sku,
            "quantity": line.qty_ordered, "promised_date": line.promised_date, "unit_price": line.unit_price,
            "currency": order.currency, "confirmed_qty": line.confirmed_qty, "confirmed_date": line.confirmed_date,
            "qty_received": line.qty_received, "qty_accepted": line.qty_accepted,
            "qty_rejected": line.qty_rejected, "open_qty": figures.line(line.id).open_qty}


def export_lines(session: Session) -> Iterable[dict[str, Any]]:
    stmt = (select(PurchaseOrderLine, PurchaseOrder, Item.sku, Supplier.code, Warehouse.code)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
            .join(Item, Item.id == PurchaseOrderLine.item_id)
            .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
            .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
            .order_by(PurchaseOrder.id, PurchaseOrderLine.id))
    rows = session.execute(stmt).all()
    figures = order_figures.order_figures(session, {order.id for _l, order, *_rest in rows})
    for line, order, sku, supplier_code, warehouse_code in rows:
        yield {**_line_row(order, line, sku, figures[order.id]), "supplier": supplier_code,
               "warehouse": warehouse_code}


def open_orders_workbook(session: Session, supplier_id: int) -> bytes:
    """An .xlsx of this supplier's open orders (sent and not yet fully received), one row per line.

    Only the supplier's own orders; drafts and orders not yet sent never appear.
    """
    stmt = (purchase_queries.supplier_order_query(supplier_id).order_by(None)
            .where(PurchaseOrder.status.in_(AWAITING_GOODS_STATUSES)).order_by(PurchaseOrder.id))
    rows = session.execute(stmt).all()
    orders = [order for order, _s, _w in rows]
    skus = purchase_queries.skus_of(session, orders)
    figures = order_figures.order_figures(session, [order.id for order in orders])
    theirs = dict(session.execute(select(CatalogEntry.item_id, CatalogEntry.supplier_sku)
                                  .where(CatalogEntry.supplier_id == supplier_id)).all())
    out = [{**_line_row(order, line, skus.get(line.item_id, ""), figures[order.id]), "ordered_on": order.ordered_on,
            "warehouse": warehouse_code, "supplier_sku": theirs.get(line.item_id) or ""}
           for order, _supplier_code, warehouse_code in rows for line in order.lines]
    return export_rows(OPEN_ORDERS, out)


def _export_only(what: str) -> tuple[Any, Any]:
    def check(_session: Session, result: ParseResult) -> list[CellError]:
        return [result.locate(result.row_numbers[0] if result.row_numbers else 1, None,
                              f"{what} cannot be imported here; import lines into one draft order from its page")]

    def apply(_session: Session, _result: ParseResult, _actor: Actor) -> str:
        raise ImportRejected(f"{what} cannot be imported here")
    return check, apply


# This area's entities of the Spreadsheets page (`scm.services.importers` joins every area's).
IMPORTERS: dict[str, Importer] = {
    "purchase_orders": Importer(PURCHASE_ORDERS, *_export_only("purchase orders"), export_orders, (),
                        "Purchase orders (export only)"),
    "purchase_order_lines": Importer(PO_LINES, *_export_only("purchase order lines"), export_lines, (),
                             "Purchase order lines (export only)"),
}


# ---------------------------------------------------------------- importing lines into a draft

def _column_for(message: str) -> str:
    lowered = message.lower()
    for words, column in ((("minimum order", "multiple", "number", "decimals"), "quantity"),
                          (("promised date",), "promised_date"), (("price",), "unit_price")):
        if any(w in lowered for w in words):
            return column
    return "sku"


def _check_rows(session: Session, order: PurchaseOrder, result: ParseResult) -> tuple[list, list[CellError]]:
    supplier = session.get(Supplier, order.supplier_id)
    ids = dict(session.execute(select(Item.sku, Item.id).where(Item.sku.in_({r["sku"] for r in result.rows}))).all())
    built, errors = [], []
    for index, (number, row) in enumerate(zip(result.row_numbers, result.rows)):
        if row["sku"] not in ids:
            errors.append(result.locate(number, "sku", "no item with this SKU", row["sku"]))
            continue
        for blocker in suppliers.purchase_blockers(session, supplier.id, ids[row["sku"]], order.ordered_on):
            errors.append(result.locate(number, "sku", blocker, row["sku"]))
        found: dict[str, list[str]] = {}
        raw = (ids[row["sku"]], row["quantity"], row["promised_date"], row["unit_price"])
        line = purchasing.draft_line(session, supplier, raw, index, order.currency, order.ordered_on, found)
        for message in found.get(f"lines[{index}]", []):
            column = _column_for(message)
            errors.append(result.locate(number, column, message, row.get(column)))
        built.append(line)
    return built, errors


def import_lines(session: Session, po_id: int, data: bytes, filename: str, actor: Actor) -> list[PurchaseOrderLine]:
    """Add the lines of an uploaded sheet (DRAFT_LINES columns) to a draft order: all rows or none.

    Raises PermissionDenied for roles other than admin and buyer, InvalidTransition when the order is
    no longer a draft, ImportRejected for an unreadable file or with a report of every row and column
    error (nothing is added then). Returns the new lines.
    """
    if actor.role not in purchasing.BUYER_ROLES:
        raise PermissionDenied(f"a {actor.role} may not change purchase orders")
    order = purchasing.lock_order(session, po_id)
    if order.status != "draft":
        raise InvalidTransition(f"purchase order {order.number} is {order.status}; only a draft takes new lines",
                                current=order.status, wanted="draft")
    try:
        result = read_rows(DRAFT_LINES, data, filename)
    except SpreadsheetRejected as rejected:  # the whole file: its message, no row report (the page shows rows)
        raise ImportRejected(rejected.message) from None
    built, errors = ([], result.errors) if result.errors else _check_rows(session, order, result)
    if errors:
        raise ImportRejected(f"{len(errors)} problem(s) in {filename}; nothing was imported",
                             report=[e.as_dict() for e in errors])
    for line in built:
        line.po_id = order.id
        session.add(line)
    session.flush()
    session.refresh(order, ["lines"])
    audit.record(session, actor, "purchase_order.import_lines", "purchase_order", order.id,
                 after={"number": order.number, "file": filename[:255], "lines": len(built),
                        "total": str(order_figures.figures_of(order).total)})
    return built
