"""Receiving goods against a purchase order at its destination warehouse, with quality inspection.

Rules:
- A receipt line says how much arrived (received) and how inspection split it: accepted + rejected =
  received, and rejected quantity needs a reason. Only the accepted quantity enters stock, through
  `stock_ledger.receive` (source_type "po_receipt", source_id the receipt id).
- A line may be received up to ordered × (1 + tolerance) in total over all its receipts. The limit is
  held by one guarded statement per line:
      UPDATE purchase_order_lines SET qty_received = qty_received + :q ...
       WHERE id = :line AND qty_received <= :limit - :q RETURNING qty_received
  after the order and its lines are row-locked in line-id order, so two warehouse users receiving the
  same line at once can never exceed it (SQLite transactions begin IMMEDIATE).
- The order becomes received when every line has its ordered quantity, else partially_received.
- The received quantity fills the order's inbound shipments, which become partially received or
  received (`scm.services.purchasing.arrivals`): what arrived is neither late nor expected again.
- Rejected quantity can go back to the supplier (`return_rejected`); it never entered stock.
- Each receipt line feeds the supplier scorecard: one delivery fact and one inspection fact, keyed by
  the receipt so a retried receipt is not counted twice.
Services flush; the caller commits. `now` is an argument.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scm.models import Item, PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine, Receipt, ReceiptLine
from scm.models.purchasing import AWAITING_GOODS_STATUSES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed, line_labels
from scm.services.purchasing import arrivals as logistics_arrivals
from scm.services.purchasing import orders as purchasing
from scm.services.stock import ledger as stock_ledger
from scm.services.suppliers import scorecard_facts

ZERO = Decimal("0")
QTY = Decimal("0.001")
DEFAULT_TOLERANCE = Decimal("0.05")
RECEIVING_ROLES = ("admin", "warehouse")


@dataclass(frozen=True)
class Counted:
    """One validated receipt line."""

    line_id: int
    received: Decimal
    accepted: Decimal
    rejected: Decimal
    reason: str


def _qty(value: Any, key: str, errors: dict) -> Decimal:
    try:
        qty = Decimal(str(value if value not in (None, "") else 0))
        if not qty.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(f"'{value}' is not a number")
        return ZERO
    if qty < 0 or qty != qty.quantize(QTY) or qty >= Decimal("1e12"):
        errors.setdefault(key, []).append("must be a number ≥ 0 with at most 3 decimals")
        return ZERO
    return qty.quantize(QTY)


def _count(raw: Sequence[Any], order: PurchaseOrder, seen: set[int], errors: dict) -> Counted | None:
    """Validate one (line_id, received, accepted, rejected, reason) tuple; None for an all-zero line."""
    if len(raw) != 5:
        errors.setdefault("lines", []).append("expected (line_id, received, accepted, rejected, reason)")
        return None
    line_id, reason = raw[0], str(raw[4] or "").strip()
    key = f"lines[{line_id}]"
    if line_id not in {line.id for line in order.lines}:
        errors.setdefault(key, []).append(f"line id {line_id} is not on {order.number}")
        return None
    if line_id in seen:
        errors.setdefault(key, []).append("the same line is given twice")
        return None
    seen.add(line_id)
    received, accepted, rejected = (_qty(v, key, errors) for v in raw[1:4])
    if received == accepted == rejected == ZERO:
        return None
    if accepted + rejected != received:
        errors.setdefault(key, []).append(f"accepted {accepted} + rejected {rejected} must equal received {received}")
    if rejected > 0 and not reason:
        errors.setdefault(key, []).append("give a reason for the rejected quantity")
    return Counted(int(line_id), received, accepted, rejected, reason[:500])


def _start(session: Session, po_id: int, actor: Actor, now: datetime, tolerance: Decimal) -> PurchaseOrder:
    if actor.role not in RECEIVING_ROLES:
        raise PermissionDenied(f"a {actor.role} may not receive goods")
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValidationFailed({"now": ["a timezone-aware datetime is required"]})
    if not isinstance(tolerance, Decimal) or not ZERO <= tolerance <= 1:
        raise ValidationFailed({"tolerance": ["a fraction from 0 to 1, such as 0.05 for 5 %"]})
    order = purchasing.lock_order(session, po_id)
    if order.status not in AWAITING_GOODS_STATUSES:
        raise InvalidTransition(f"purchase order {order.number} is {order.status}; goods cannot be received "
                                f"against it", current=order.status, wanted="partially_received")
    return order


def receive(session: Session, po_id: int, *, lines: Sequence[Sequence[Any]], actor: Actor, now: datetime,
            tolerance: Decimal = DEFAULT_TOLERANCE, note: str = "") -> Receipt:
    """Receive and inspect goods against open lines of a purchase order (see the module rules).

    `lines` holds (po_line_id, qty_received, qty_accepted, qty_rejected, reject_reason); all-zero
    lines are ignored. Raises ValidationFailed (bad split, missing reason, over-receipt beyond the
    tolerance, nothing received), InvalidTransition when the order is not open for receiving,
    PermissionDenied for roles other than admin and warehouse. Returns the receipt.
    """
    order = _start(session, po_id, actor, now, tolerance)
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    counted = [c for c in (_count(raw, order, seen, errors) for raw in lines) if c is not None]
    if not counted and not errors:
        errors["lines"] = ["nothing was received"]
    if errors:
        known = {line.id for line in order.lines}
        unknown = [raw[0] for raw in lines if len(raw) == 5 and raw[0] not in known]
        raise ValidationFailed(errors, labels=line_labels(order.lines, unknown=unknown))
    receipt = Receipt(po_id=order.id, warehouse_id=order.warehouse_id, received_at=now,
                      received_by=actor.user_id, note=note[:500])
    session.add(receipt)
    session.flush()
    by_id = {line.id: line for line in order.lines}
    for count in sorted(counted, key=lambda c: c.line_id):
        _book(session, order, by_id[count.line_id], count, tolerance)
    session.execute(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == order.id)
                    .execution_options(populate_existing=True)).all()
    for count in sorted(counted, key=lambda c: c.line_id):
        _post(session, order, by_id[count.line_id], receipt, count, actor, now)
    done = all(line.qty_received >= line.qty_ordered for line in order.lines)
    purchasing.transition(session, order, "received" if done else "partially_received", actor=actor, now=now,
                          note=f"receipt {receipt.id}")
    logistics_arrivals.book_receipt(session, order, {c.line_id: c.received for c in counted}, receipt_id=receipt.id,
                                    actor=actor, now=now)
    audit.record(session, actor, "receipt.create", "receipt", receipt.id, after={
        "po": order.number, "lines": [{"line": c.line_id, "received": str(c.received), "accepted": str(c.accepted),
                                       "rejected": str(c.rejected), "reason": c.reason} for c in counted]})
    session.flush()
    return receipt


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def receive_limit(line: PurchaseOrderLine, tolerance: Decimal) -> Decimal:
    """The most a line may receive in total: ordered × (1 + tolerance), rounded down to 0.001."""
    return (line.qty_ordered * (1 + tolerance)).quantize(QTY, rounding=ROUND_FLOOR)


def _book(session: Session, order: PurchaseOrder, line: PurchaseOrderLine, count: Counted,
          tolerance: Decimal) -> None:
    """Add the counted quantities to the PO line with the guarded update (refused beyond the limit)."""
    limit = receive_limit(line, tolerance)
    column = PurchaseOrderLine.__table__.c
    stmt = (update(PurchaseOrderLine.__table__)
            .where(column.id == line.id, column.qty_received <= limit - count.received)
            .values(qty_received=column.qty_received + count.received,
                    qty_accepted=column.qty_accepted + count.accepted,
                    qty_rejected=column.qty_rejected + count.rejected)
            .returning(column.qty_received))
    if session.connection().execute(stmt).scalar_one_or_none() is None:
        already = session.scalar(select(PurchaseOrderLine.qty_received).where(PurchaseOrderLine.id == line.id))
        sku = session.scalar(select(Item.sku).where(Item.id == line.item_id))
        room = max(limit - already, ZERO)
        raise ValidationFailed({f"lines[{line.id}]": [
            f"{sku}: receiving {_fmt(count.received)} would exceed the {_fmt(line.qty_ordered)} ordered plus "
            f"{_fmt(tolerance * 100)} % tolerance ({_fmt(already)} already received; at most {_fmt(room)} more)"]},
            labels=line_labels(order.lines))


def _post(session: Session, order: PurchaseOrder, line: PurchaseOrderLine, receipt: Receipt, count: Counted,
          actor: Actor, now: datetime) -> ReceiptLine:
    """Accepted quantity into stock through the ledger; the receipt line; the scorecard facts."""
    move = None
    if count.accepted > 0:
        move = stock_ledger.receive(session, item_id=line.item_id, warehouse_id=order.warehouse_id,
                                    qty=count.accepted, actor=actor, note=f"{order.number} receipt {receipt.id}",
                                    source_type="po_receipt", source_id=receipt.id)
    row = ReceiptLine(receipt_id=receipt.id, po_line_id=line.id, item_id=line.item_id,
                      qty_received=count.received, qty_accepted=count.accepted, qty_rejected=count.rejected,
                      reject_reason=count.reason, stock_move_id=move.id if move else None)
    session.add(row)
    ref = f"{order.number}/R{receipt.id}/L{line.id}"
    today = now.date()
    promised = (line.confirmed_date or line.promised_date
                or order.ordered_on + timedelta(days=line.stated_lead_time_days))
    scorecard_facts.record_delivery(
        session, supplier_id=order.supplier_id, item_id=line.item_id, ordered_on=order.ordered_on,
        promised_on=max(promised, order.ordered_on), received_on=max(today, order.ordered_on),
        qty_ordered=line.qty_ordered, qty_received=count.received, unit_price=line.unit_price,
        currency=order.currency, stated_lead_time_days=line.stated_lead_time_days, po_ref=order.number,
        line_ref=str(line.id), receipt_ref=ref)
    scorecard_facts.record_inspection(
        session, supplier_id=order.supplier_id, item_id=line.item_id, inspected_on=today,
        qty_inspected=count.received, qty_accepted=count.accepted, po_ref=order.number, receipt_ref=ref)
    return row


def receipts_of(session: Session, po_id: int) -> list[Receipt]:
    """Receipts of an order, oldest first."""
    return list(session.scalars(select(Receipt).where(Receipt.po_id == po_id).order_by(Receipt.id)))


def order_of_receipt_line(session: Session, receipt_line_id: int) -> int | None:
    """The purchase order a receipt line belongs to (None when the line does not exist)."""
    return session.scalar(select(Receipt.po_id).join(ReceiptLine, ReceiptLine.receipt_id == Receipt.id)
                          .where(ReceiptLine.id == receipt_line_id))


def return_rejected(session: Session, receipt_line_id: int, *, qty: Any, actor: Actor, now: datetime,
                    note: str = "") -> ReceiptLine:
    """Send rejected quantity of a receipt line back to the supplier (at most what was rejected, over
    all returns: one guarded update). Rejected goods never entered stock, so no stock moves; the
    return is recorded on the receipt line, in the order's history and in the audit log.
    The order line is not reopened: a replacement is a new order (or a later phase)."""
    if actor.role not in (*RECEIVING_ROLES, "buyer"):
        raise PermissionDenied(f"a {actor.role} may not return goods")
    row = session.get(ReceiptLine, receipt_line_id)
    if row is None:
        raise NotFound(f"receipt line {receipt_line_id} does not exist")
    receipt = session.get(Receipt, row.receipt_id)
    order = purchasing.lock_order(session, receipt.po_id)
    errors: dict[str, list[str]] = {}
    amount = _qty(qty, "qty", errors)
    if not errors and amount == 0:
        errors["qty"] = ["must be greater than zero"]
    if errors:
        raise ValidationFailed(errors)
    column = ReceiptLine.__table__.c
    stmt = (update(ReceiptLine.__table__)
            .where(column.id == row.id, column.qty_returned <= column.qty_rejected - amount)
            .values(qty_returned=column.qty_returned + amount).returning(column.qty_returned))
    if session.connection().execute(stmt).scalar_one_or_none() is None:
        session.refresh(row)
        raise ValidationFailed({"qty": [f"at most {_fmt(row.qty_rejected - row.qty_returned)} rejected remains "
                                        f"to return"]})
    session.refresh(row)
    sku = session.scalar(select(Item.sku).where(Item.id == row.item_id))
    text = f"returned {_fmt(amount)} of {sku} (receipt {receipt.id}): {row.reject_reason}"
    text += f"; {note}" if note else ""
    session.add(PurchaseOrderEvent(po_id=order.id, at=now, actor_id=actor.user_id, actor_label=actor.label,
                                   from_status=order.status, to_status=order.status, note=text[:500]))
    audit.record(session, actor, "receipt.return", "receipt_line", row.id,
                 after={"po": order.number, "qty": str(amount), "returned": str(row.qty_returned), "note": note})
    session.flush()
    return row
