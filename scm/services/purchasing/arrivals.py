"""What a receipt, and the end of an order, do to the order's inbound shipments.

Receiving (`scm.services.purchasing.receiving`) and closing or cancelling an order (`scm.services.purchasing.orders`)
call this module in their own transaction, after the order and its lines are row-locked, so two
receipts of one order never fill the same shipment line twice. It writes only logistics tables.

Rules:
- A receipt fills the order's open inbound shipments line by line, earliest ETA first (then the
  oldest shipment): each shipment line takes at most what it carries (`qty_received <= qty`); a
  receipt larger than everything announced leaves the rest unallocated (it came without a notice).
- After a receipt each open inbound shipment of the order is settled: **received** when nothing
  more is expected on it (every line received in full, or its PO line is received in full, or the
  whole order is), **partially received** when something arrived on it and something is still
  expected, else unchanged (the carrier's status).
- An order that is closed or cancelled expects nothing more: its open inbound shipments become
  **received** when something arrived on them, **cancelled** when nothing did.
- Each change is one forward-only guarded update on `status_rank`, a timeline event (source
  "system", one per receipt or order change, so a retry adds nothing) and an audit entry; a closed
  shipment is no longer late.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scm.models import PurchaseOrder, Shipment, ShipmentEvent, ShipmentLine
from scm.models.logistics import CLOSED_STATUSES, STATUS_RANK
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor

ZERO = Decimal("0")
ORDER_EXPECTS_NOTHING = ("received", "closed", "cancelled", "rejected")


def _open_inbound(session: Session, po_id: int) -> list[Shipment]:
    """The order's open inbound shipments, earliest ETA first (no ETA last), then oldest first."""
    return list(session.scalars(
        select(Shipment).where(Shipment.po_id == po_id, Shipment.kind == "inbound",
                               Shipment.status.not_in(CLOSED_STATUSES))
        .order_by(Shipment.eta.is_(None), Shipment.eta, Shipment.id)
        .execution_options(populate_existing=True)))


def book_receipt(session: Session, order: PurchaseOrder, received: Mapping[int, Decimal], *, receipt_id: int,
                 actor: Actor, now: datetime) -> list[int]:
    """Fill the order's open inbound shipments with a receipt (PO line id → quantity received), then
    settle them. Returns the ids of the shipments whose status changed."""
    left = {line_id: qty for line_id, qty in received.items() if qty > ZERO}
    shipments = _open_inbound(session, order.id)
    for shipment in shipments:
        for line in shipment.lines:
            take = min(left.get(line.po_line_id or 0, ZERO), line.qty - line.qty_received)
            if take > ZERO:
                line.qty_received += take
                left[line.po_line_id] -= take
    session.flush()
    done_lines = {line.id for line in order.lines if line.qty_received >= line.qty_ordered}
    complete = order.status == "received"
    changed = []
    for shipment in shipments:
        arrived = any(line.qty_received > ZERO for line in shipment.lines)
        waiting = [line for line in shipment.lines
                   if line.qty_received < line.qty and line.po_line_id not in done_lines and not complete]
        status = "received" if not waiting else "partially_received" if arrived else None
        if status and _move(session, shipment, status, actor=actor, now=now, event_id=f"receipt-{receipt_id}",
                            reason=f"receipt R-{receipt_id} of {order.number}"):
            changed.append(shipment.id)
    return changed


def end_order(session: Session, order: PurchaseOrder, *, actor: Actor, now: datetime) -> list[int]:
    """The order was closed or cancelled: nothing more will come on its open inbound shipments."""
    changed = []
    for shipment in _open_inbound(session, order.id):
        arrived = any(line.qty_received > ZERO for line in shipment.lines)
        if _move(session, shipment, "received" if arrived else "cancelled", actor=actor, now=now,
                 event_id=f"order-{order.status}", reason=f"{order.number} {order.status}"):
            changed.append(shipment.id)
    return changed


def _insert(session: Session) -> Any:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def _move(session: Session, shipment: Shipment, status: str, *, actor: Actor, now: datetime, event_id: str,
          reason: str) -> bool:
    """Move the shipment forward to `status` (never back); True when it moved."""
    rank = STATUS_RANK[status]
    values: dict[str, Any] = {"status": status, "status_rank": rank, "status_at": now}
    if status in CLOSED_STATUSES:
        values.update(late=False, late_reason="", exception_reason="", exception_at=None)
    if status == "received":
        values["delivered_at"] = now
    moved = session.execute(update(Shipment).where(Shipment.id == shipment.id, Shipment.status_rank < rank)
                            .values(**values).returning(Shipment.id)
                            .execution_options(synchronize_session=False)).scalar_one_or_none()
    if moved is None:
        return False
    session.execute(_insert(session)(ShipmentEvent).values(
        shipment_id=shipment.id, event_id=event_id[:120], status=status, occurred_at=now, recorded_at=now,
        location="", reason=reason[:300], eta=None, source="system", actor_id=actor.user_id,
    ).on_conflict_do_nothing(index_elements=["shipment_id", "event_id"]))
    before = shipment.status
    session.expire(shipment)
    audit.record(session, actor, f"shipment.{status}", "shipment", shipment.id,
                 before={"status": before}, after={"status": status, "reference": shipment.reference,
                                                   "reason": reason[:300]})
    return True


def pending_lines(shipment: Shipment) -> list[ShipmentLine]:
    """The lines of a shipment on which something is still expected."""
    return [line for line in shipment.lines if line.qty_received < line.qty]


def order_still_expecting() -> Any:
    """SQL condition on Shipment: it has no order, or its order still expects goods (not received,
    closed, cancelled or rejected). Delay detection adds it, so a shipment an old database left open
    after its order ended is never late."""
    return or_(Shipment.po_id.is_(None), Shipment.po_id.not_in(
        select(PurchaseOrder.id).where(PurchaseOrder.status.in_(ORDER_EXPECTS_NOTHING))))
