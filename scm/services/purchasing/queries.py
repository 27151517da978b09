"""Read-side queries of purchase orders: filtered lists for buyers and supplier-scoped views.

A supplier only ever sees its own orders, and only orders that were sent to it (`sent_at` is set):
drafts, orders awaiting approval and approved-but-unsent orders are invisible, and so is an order
cancelled before it was sent. Every supplier lookup filters on the supplier id and the order id
together and raises NotFound otherwise (ARCHITECTURE principle 6).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from scm.models import Item, PurchaseOrder, PurchaseOrderLine, Shipment, Supplier, Warehouse
from scm.models.purchasing import AWAITING_GOODS_STATUSES, PO_STATUSES, UNSENT_STATUSES
from scm.services.kernel.errors import NotFound, ValidationFailed


def order_query(*, status: str = "", supplier_id: int | None = None, warehouse_id: int | None = None) -> Select:
    """(PurchaseOrder, supplier code, warehouse code) rows, newest first; lines load in one extra query."""
    stmt = (select(PurchaseOrder, Supplier.code, Warehouse.code)
            .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
            .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
            .order_by(PurchaseOrder.id.desc()))
    if status:
        if status not in PO_STATUSES:
            raise ValidationFailed({"status": [f"one of {', '.join(PO_STATUSES)}"]})
        stmt = stmt.where(PurchaseOrder.status == status)
    if supplier_id is not None:
        stmt = stmt.where(PurchaseOrder.supplier_id == supplier_id)
    if warehouse_id is not None:
        stmt = stmt.where(PurchaseOrder.warehouse_id == warehouse_id)
    return stmt


def supplier_order_query(supplier_id: int, *, status: str = "") -> Select:
    """The orders a supplier may see: its own, once sent."""
    return order_query(status=status, supplier_id=supplier_id).where(
        PurchaseOrder.sent_at.is_not(None), PurchaseOrder.status.not_in(UNSENT_STATUSES))


def supplier_order(session: Session, supplier_id: int | None, po_id: int) -> PurchaseOrder:
    """One order of this supplier that it may see; NotFound for another supplier's order or a draft."""
    order = session.scalar(select(PurchaseOrder).where(
        PurchaseOrder.id == po_id, PurchaseOrder.supplier_id == supplier_id, PurchaseOrder.sent_at.is_not(None),
        PurchaseOrder.status.not_in(UNSENT_STATUSES)))
    if supplier_id is None or order is None:
        raise NotFound(f"purchase order {po_id} does not exist")
    return order


def skus_of(session: Session, orders: Iterable[PurchaseOrder]) -> dict[int, str]:
    """item id → SKU for every line of `orders` (one query)."""
    ids = sorted({line.item_id for order in orders for line in order.lines})
    return dict(session.execute(select(Item.id, Item.sku).where(Item.id.in_(ids))).all()) if ids else {}


def codes_of(session: Session, order: PurchaseOrder) -> tuple[str, str]:
    """The order's supplier and warehouse codes."""
    supplier = session.get(Supplier, order.supplier_id)
    warehouse = session.get(Warehouse, order.warehouse_id)
    return (supplier.code if supplier else "", warehouse.code if warehouse else "")


def shipments_of(session: Session, po_id: int) -> list[Shipment]:
    """Every inbound shipment of one order (from a shipping notice or entered by a buyer), oldest first."""
    return list(session.scalars(select(Shipment).where(Shipment.po_id == po_id, Shipment.kind == "inbound")
                                .order_by(Shipment.id)))


def _line_dates(today: date) -> Select:
    """Per order: earliest promised date of an open line, late flag, number of lines (comparisons of
    scaled columns with each other are exact; no scaled value is summed)."""
    line = PurchaseOrderLine
    promised = func.coalesce(line.confirmed_date, line.promised_date)
    is_open = line.qty_received < line.qty_ordered
    return (select(line.po_id.label("po_id"),
                   func.min(case((is_open, promised), else_=None)).label("next_due"),
                   func.max(case((and_(is_open, promised < today), 1), else_=0)).label("late_lines"),
                   func.count(line.id).label("line_count"))
            .group_by(line.po_id))


def order_list_query(*, today: date, status: str = "", supplier_id: int | None = None, warehouse_id: int | None = None,
                late: bool = False, statuses: tuple[str, ...] | None = None) -> Select:
    """The buyers' list: orders with supplier, warehouse and line aggregates, newest first (the figures
    a person reads, total and open quantity, come from `figures.order_figures` for the page's orders). `late`: goods still expected,
    and an open line's (confirmed, else promised) date is before `today`."""
    totals = _line_dates(today).subquery()
    is_late = and_(PurchaseOrder.status.in_(AWAITING_GOODS_STATUSES), func.coalesce(totals.c.late_lines, 0) == 1)
    stmt = (select(PurchaseOrder.id, PurchaseOrder.number, PurchaseOrder.status, PurchaseOrder.ordered_on,
                   PurchaseOrder.currency, PurchaseOrder.supplier_id, Supplier.code.label("supplier_code"),
                   Supplier.name.label("supplier_name"), Warehouse.code.label("warehouse_code"),
                   totals.c.next_due, totals.c.line_count,
                   case((is_late, True), else_=False).label("late"))
            .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
            .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
            .outerjoin(totals, totals.c.po_id == PurchaseOrder.id)
            .order_by(PurchaseOrder.id.desc()))
    if status:
        stmt = stmt.where(PurchaseOrder.status == status)
    if statuses is not None:
        stmt = stmt.where(PurchaseOrder.status.in_(statuses))
    if supplier_id:
        stmt = stmt.where(PurchaseOrder.supplier_id == supplier_id)
    if warehouse_id:
        stmt = stmt.where(PurchaseOrder.warehouse_id == warehouse_id)
    if late:
        stmt = stmt.where(is_late)
    return stmt


def items_of(session: Session, order: PurchaseOrder) -> dict[int, Item]:
    """The items on an order's lines, by id (one query)."""
    ids = sorted({line.item_id for line in order.lines})
    return {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(ids)))} if ids else {}


def suppliers_for_filter(session: Session) -> list[Supplier]:
    return list(session.scalars(select(Supplier).order_by(Supplier.code)))
