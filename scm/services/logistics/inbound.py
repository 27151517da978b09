"""What is on its way into each warehouse, and when it is expected: the one answer the plan uses.

Open purchase-order lines arrive on their expected receipt date: the supplier's confirmed date,
else the promised date, else the order date plus the stated lead time. Logistics moves that date
when a shipment carrying the line reports a later (or earlier) ETA. Transfers in transit arrive
on their shipment's ETA. Replenishment, stock-out warnings and the dashboard read only this module,
so a delayed shipment moves every projection at once.

"Open" includes the orders a buyer has committed to but the supplier does not have yet (draft,
pending approval, approved): the plan must count what it already suggested and a buyer approved,
or the nightly job and a second buyer would order it again. Such an order cannot arrive sooner than
its lead time after it is sent: with `as_of`, an unsent order that should have been sent already
is expected as many days later as it is late in leaving (planned date + (as_of − order date)).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import PurchaseOrder, PurchaseOrderLine, Shipment, ShipmentLine
from scm.models.logistics import CLOSED_STATUSES
from scm.models.purchasing import ON_ORDER_STATUSES, UNSENT_STATUSES

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
    shipment_id: int | None = None  # the live inbound shipment carrying this quantity, if any

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
    shipment_id: int | None = None


def planned_date(line: PurchaseOrderLine, ordered_on: date) -> date:
    """The receipt date a line was planned for, before logistics knew anything."""
    return (line.confirmed_date or line.promised_date
            or ordered_on + timedelta(days=line.stated_lead_time_days))


def _not_before_sending(planned: date, ordered_on: date, status: str, as_of: date | None) -> date:
    """An unsent order still waiting on `as_of` arrives its lead time after it leaves, not before."""
    if as_of is None or status not in UNSENT_STATUSES or as_of <= ordered_on:
        return planned
    return planned + (as_of - ordered_on)


def expected_receipts(session: Session, *, item_ids: Collection[int] | None = None,
                      warehouse_ids: Collection[int] | None = None, as_of: date | None = None
                      ) -> list[ExpectedReceipt]:
    """Every open PO line with quantity still to come, in (item, warehouse, date) order; one query.
    With `as_of`, unsent orders are expected no sooner than their lead time after `as_of`."""
    stmt = (select(PurchaseOrderLine, PurchaseOrder.number, PurchaseOrder.supplier_id, PurchaseOrder.warehouse_id,
                   PurchaseOrder.ordered_on, PurchaseOrder.status)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
            .where(PurchaseOrder.status.in_(ON_ORDER_STATUSES),
                   PurchaseOrderLine.qty_received < PurchaseOrderLine.qty_ordered))
    if item_ids is not None:
        stmt = stmt.where(PurchaseOrderLine.item_id.in_(list(item_ids)))
    if warehouse_ids is not None:
        stmt = stmt.where(PurchaseOrder.warehouse_id.in_(list(warehouse_ids)))
    found = list(session.execute(stmt))
    shipped = _shipped(session, [line.id for line, *_rest in found])
    rows: list[ExpectedReceipt] = []
    for line, number, supplier_id, warehouse_id, ordered_on, status in found:
        planned = _not_before_sending(planned_date(line, ordered_on), ordered_on, status, as_of)
        remaining = _still_expected(line)
        common = dict(po_line_id=line.id, po_id=line.po_id, po_number=number, supplier_id=supplier_id,
                      item_id=line.item_id, warehouse_id=warehouse_id, planned_date=planned, status=status)
        for shipment_id, qty, eta in shipped.get(line.id, []):
            take = min(qty, remaining)
            if take > ZERO:
                rows.append(ExpectedReceipt(**common, qty_open=take, expected_date=eta or planned,
                                            shipment_id=shipment_id))
                remaining -= take
        rows.append(ExpectedReceipt(**common, qty_open=remaining, expected_date=planned))
    return sorted((r for r in rows if r.qty_open > ZERO), key=lambda r: (r.item_id, r.warehouse_id, r.expected_date))


def _shipped(session: Session, line_ids: list[int]) -> dict[int, list[tuple[int, Decimal, date | None]]]:
    """PO line id -> [(shipment id, quantity, ETA)] of live inbound shipments, earliest ETA first.

    What a live shipment still carries (its quantity less what receipts booked against it) arrives at
    its ETA; the rest of the line keeps its planned date. Received and cancelled shipments are closed."""
    out: dict[int, list[tuple[int, Decimal, date | None]]] = {}
    if not line_ids:
        return out
    stmt = (select(ShipmentLine.po_line_id, Shipment.id, ShipmentLine.qty, ShipmentLine.qty_received, Shipment.eta,
                   Shipment.promised_date)
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(Shipment.kind == "inbound", Shipment.status.not_in(CLOSED_STATUSES),
                   ShipmentLine.po_line_id.in_(line_ids))
            .order_by(ShipmentLine.po_line_id, Shipment.eta, Shipment.id))
    for line_id, shipment_id, qty, received, eta, promised in session.execute(stmt):
        if qty > received:
            out.setdefault(line_id, []).append((shipment_id, qty - received, eta or promised))
    return out


def _still_expected(line: PurchaseOrderLine) -> Decimal:
    """A partial confirmation caps what is still coming; otherwise the ordered quantity does."""
    promised = line.confirmed_qty if line.confirmed_qty is not None else line.qty_ordered
    return max(min(promised, line.qty_ordered) - line.qty_received, ZERO)


def expected_transfers(session: Session, *, item_ids: Collection[int] | None = None,
                       warehouse_ids: Collection[int] | None = None) -> list[ExpectedTransfer]:
    """Shipped transfers in transit (issued at the source, not yet received), at their shipment's ETA
    (else promised date, else ship date); `warehouse_ids` filters on the destination."""
    stmt = (select(Shipment, ShipmentLine.item_id, ShipmentLine.qty)
            .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
            .where(Shipment.kind == "transfer", Shipment.status.not_in(CLOSED_STATUSES),
                   Shipment.transfer_id.is_not(None)))
    if item_ids is not None:
        stmt = stmt.where(ShipmentLine.item_id.in_(list(item_ids)))
    if warehouse_ids is not None:
        stmt = stmt.where(Shipment.to_warehouse_id.in_(list(warehouse_ids)))
    rows = [ExpectedTransfer(transfer_id=s.transfer_id, item_id=item_id, from_warehouse_id=s.from_warehouse_id,
                             to_warehouse_id=s.to_warehouse_id, qty=qty,
                             expected_date=s.eta or s.promised_date or s.ship_date or s.created_at.date(),
                             shipment_id=s.id)
            for s, item_id, qty in session.execute(stmt)]
    return sorted(rows, key=lambda r: (r.item_id, r.to_warehouse_id, r.expected_date))
