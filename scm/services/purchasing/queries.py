"""Read-side queries of purchase orders: filtered lists for buyers and supplier-scoped views.

A supplier only ever sees its own orders, and only orders that were sent to it (`sent_at` is set):
drafts, orders awaiting approval and approved-but-unsent orders are invisible, and so is an order
cancelled before it was sent. Every supplier lookup filters on the supplier id and the order id
together and raises NotFound otherwise (ARCHITECTURE principle 6).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from scm.models import Item, PurchaseOrder, Shipment, Supplier, Warehouse
from scm.models.purchasing import PO_STATUSES
from scm.services.kernel.errors import NotFound, ValidationFailed

OPEN_STATUSES = ("sent", "confirmed", "partially_confirmed", "in_transit", "partially_received")
HIDDEN_FROM_SUPPLIERS = ("draft", "pending_approval", "approved")  # the one rule; the portal uses it too


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
        PurchaseOrder.sent_at.is_not(None), PurchaseOrder.status.not_in(HIDDEN_FROM_SUPPLIERS))


def supplier_order(session: Session, supplier_id: int | None, po_id: int) -> PurchaseOrder:
    """One order of this supplier that it may see; NotFound for another supplier's order or a draft."""
    order = session.scalar(select(PurchaseOrder).where(
        PurchaseOrder.id == po_id, PurchaseOrder.supplier_id == supplier_id, PurchaseOrder.sent_at.is_not(None),
        PurchaseOrder.status.not_in(HIDDEN_FROM_SUPPLIERS)))
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
