"""Read-only queries behind the purchase order and receiving pages (one statement per list, no N+1).

The rows carry what filters and sorts need (next due date, the late flag, the line count); the
figures a person reads (total, open quantity) come from `order_figures.order_figures` for the page's
orders: the stored quantities and prices are scaled integers, so they are never summed here.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from scm.models import Item, PurchaseOrder, PurchaseOrderLine, Supplier, Warehouse
from scm.services.purchasing.receiving import RECEIVABLE

# Statuses in which goods are still expected: a passed promised date on an open line makes them late.
EXPECTING = RECEIVABLE


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


def order_query(*, today: date, status: str = "", supplier_id: int | None = None, warehouse_id: int | None = None,
                late: bool = False, statuses: tuple[str, ...] | None = None) -> Select:
    """Orders with supplier, warehouse and line aggregates, newest first. `late`: goods still expected,
    and an open line's (confirmed, else promised) date is before `today`."""
    totals = _line_dates(today).subquery()
    is_late = and_(PurchaseOrder.status.in_(EXPECTING), func.coalesce(totals.c.late_lines, 0) == 1)
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
