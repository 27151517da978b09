"""Shipments and their tracking events: the one writer of the logistics tables.

Three kinds of shipment: inbound from a supplier (from a shipping notice, or entered by a buyer, carrying
PO lines), transfers between our warehouses (a shipped transfer of the ledger: issued at the source on
dispatch, in transit, received at the destination on delivery) and outbound to customers (reserved on
creation, issued as a sale on dispatch). Stock moves only through `stock_ledger`.

Status events are idempotent by (shipment, event id): the insert is `ON CONFLICT DO NOTHING`, so 16
concurrent deliveries of one webhook give one row. Status only moves forward: one guarded UPDATE on
`status_rank`, so an out-of-order event is kept in the timeline without moving the status back. An
exception is recorded (open until a later progress event); a later "delivered" still wins. Every
change is audited. Services flush; the caller commits.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scm.models import (
    Carrier,
    PurchaseOrder,
    PurchaseOrderLine,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShippingNotice,
    UnmatchedTrackingEvent,
    Warehouse,
)
from scm.models.logistics import CLOSED_STATUSES, EVENT_STATUSES, SHIPMENT_KINDS, STATUS_RANK
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition, NotFound, ValidationFailed, line_labels
from scm.services.stock import ledger as stock_ledger

ZERO = Decimal("0")
EVENT_SOURCES = ("staff", "portal", "import", "webhook", "system")
STATUS_LABELS = {"created": "Created", "picked_up": "Picked up", "in_transit": "In transit", "at_hub": "At hub",
                 "out_for_delivery": "Out for delivery", "delivered": "Delivered", "exception": "Exception",
                 "returned": "Returned", "partially_received": "Partially received", "received": "Received",
                 "cancelled": "Cancelled"}


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


# ---------------------------------------------------------------- carriers

def list_carriers(session: Session, *, active_only: bool = True) -> list[Carrier]:
    stmt = select(Carrier).order_by(Carrier.name)
    return list(session.scalars(stmt.where(Carrier.active.is_(True)) if active_only else stmt))


def carrier_by_code(session: Session, code: str) -> Carrier:
    carrier = session.scalar(select(Carrier).where(func.lower(Carrier.code) == (code or "").strip().lower()))
    if carrier is None:
        raise NotFound(f"carrier {code!r} does not exist")
    return carrier


def match_carrier(session: Session, text: str) -> Carrier | None:
    """The carrier whose code or name is `text` (case-insensitive), else None (free text is kept)."""
    needle = (text or "").strip().lower()
    if not needle:
        return None
    return session.scalar(select(Carrier).where(or_(func.lower(Carrier.code) == needle,
                                                    func.lower(Carrier.name) == needle)))


def expected_transit_days(carrier: Carrier | None, service: str) -> int | None:
    if carrier is None:
        return None
    days = carrier.transit_days or {}
    value = days.get(service) if service in days else days.get("standard")
    return int(value) if value is not None else None


# ---------------------------------------------------------------- header validation

def _clean(session: Session, data: dict) -> dict[str, Any]:
    """Carrier (id, code or free text), service, tracking, dates, weight, packages, notes."""
    errors: dict[str, list[str]] = {}
    carrier = None
    if data.get("carrier_id"):
        carrier = session.get(Carrier, int(data["carrier_id"]))
        if carrier is None:
            errors["carrier_id"] = ["choose a carrier from the list"]
    elif data.get("carrier"):
        carrier = match_carrier(session, str(data["carrier"]))
    out: dict[str, Any] = {"carrier_id": carrier.id if carrier else None,
                           "carrier_name": "" if carrier else str(data.get("carrier") or "").strip()[:80]}
    for key, size in (("service", 40), ("tracking_number", 80), ("notes", 4000)):
        out[key] = str(data.get(key) or "").strip()
        if len(out[key]) > size:
            errors[key] = [f"at most {size} characters"]
    for key in ("ship_date", "promised_date", "eta"):
        value = data.get(key)
        if value not in (None, "") and not isinstance(value, date):
            errors[key] = ["a date (YYYY-MM-DD)"]
        out[key] = value or None
    if out["ship_date"] and out["promised_date"] and out["promised_date"] < out["ship_date"]:
        errors["promised_date"] = ["must be on or after the ship date"]
    out["weight_kg"] = _optional_number(data.get("weight_kg"), "weight_kg", errors)
    packages = _optional_number(data.get("packages"), "packages", errors)
    out["packages"] = int(packages) if packages is not None else None
    if errors:
        raise ValidationFailed(errors)
    out["eta"] = out["eta"] or out["promised_date"] or _default_eta(carrier, out["service"], out["ship_date"])
    return out


def _optional_number(value: Any, key: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.001"))
    except Exception:
        errors[key] = ["must be a number"]
        return None
    if number < 0:
        errors[key] = ["must be ≥ 0"]
    return number


def _default_eta(carrier: Carrier | None, service: str, ship_date: date | None) -> date | None:
    days = expected_transit_days(carrier, service)
    return ship_date + timedelta(days=days) if ship_date and days is not None else None


def _new_shipment(session: Session, kind: str, header: dict, *, actor: Actor, now: datetime, **fields: Any) -> Shipment:
    assert kind in SHIPMENT_KINDS
    shipment = Shipment(kind=kind, created_at=now, created_by=actor.user_id, status="created", status_rank=0,
                        status_at=now, **header, **fields)
    session.add(shipment)
    session.flush()
    return shipment


def _audit(session: Session, actor: Actor, action: str, shipment: Shipment, **extra: Any) -> None:
    audit.record(session, actor, action, "shipment", shipment.id, after={
        "kind": shipment.kind, "reference": shipment.reference, "status": shipment.status,
        "tracking": shipment.tracking_number,
        **{k: v if isinstance(v, (str, int, dict, list, type(None))) else str(v) for k, v in extra.items()}})


# ---------------------------------------------------------------- inbound

def create_inbound_from_notice(session: Session, notice: ShippingNotice, *, actor: Actor, now: datetime,
                               data: dict | None = None) -> Shipment:
    """The inbound shipment of an advance shipping notice (one per notice), carrying its PO lines."""
    order = session.get(PurchaseOrder, notice.po_id)
    header = _clean(session, {"carrier": notice.carrier, "tracking_number": notice.tracking_number,
                              "ship_date": notice.ship_date, "promised_date": notice.expected_arrival,
                              "eta": notice.expected_arrival, **(data or {})})
    shipment = _new_shipment(session, "inbound", header, actor=actor, now=now, reference=order.number,
                             supplier_id=notice.supplier_id, po_id=order.id, notice_id=notice.id,
                             to_warehouse_id=order.warehouse_id)
    items = {line.id: line.item_id for line in order.lines}
    for line in notice.lines:
        session.add(ShipmentLine(shipment_id=shipment.id, item_id=items[line.po_line_id], qty=line.qty,
                                 po_line_id=line.po_line_id))
    session.flush()
    _record(session, shipment, event_id=f"notice-{notice.id}", status="picked_up", occurred_at=now, now=now,
            source="portal" if actor.role == "supplier" else "staff", actor=actor, location="")
    _audit(session, actor, "shipment.create", shipment, notice_id=notice.id)
    session.refresh(shipment)
    return shipment


def create_inbound(session: Session, po_id: int, data: dict, lines: dict[int, Any], *, actor: Actor,
                   now: datetime) -> Shipment:
    """A buyer enters an inbound shipment for a PO (no notice): `lines` maps PO line id -> quantity."""
    from scm.services.purchasing import figures as order_figures
    from scm.services.purchasing import orders as purchasing
    order = session.get(PurchaseOrder, po_id)
    if order is None:
        raise NotFound(f"purchase order {po_id} does not exist")
    if order.status in ("draft", "pending_approval", "rejected", "received", "closed", "cancelled"):
        raise InvalidTransition(f"purchase order {order.number} is {order.status}; nothing can ship",
                                current=order.status, wanted="in_transit")
    header = _clean(session, data)
    known = {line.id: line for line in order.lines}
    still_open = order_figures.figures_of(order).lines
    errors: dict[str, list[str]] = {}
    chosen: dict[int, Decimal] = {}
    for line_id, raw in lines.items():
        if line_id not in known:
            errors[f"lines[{line_id}]"] = [f"line id {line_id} is not on {order.number}"]
            continue
        qty = purchasing.parse_quantity(raw or "0", f"lines[{line_id}]", errors, allow_zero=True)
        if qty > still_open[line_id].open_qty:
            errors[f"lines[{line_id}]"] = [f"at most {still_open[line_id].open_qty} is still open"]
        elif qty > 0:
            chosen[line_id] = qty
    if not chosen and not errors:
        errors["lines"] = ["give a quantity for at least one line"]
    if errors:
        raise ValidationFailed(errors, labels=line_labels(order.lines, unknown=set(lines) - set(known)))
    shipment = _new_shipment(session, "inbound", header, actor=actor, now=now, reference=order.number,
                             supplier_id=order.supplier_id, po_id=order.id, to_warehouse_id=order.warehouse_id)
    for line_id, qty in chosen.items():
        session.add(ShipmentLine(shipment_id=shipment.id, item_id=known[line_id].item_id, qty=qty, po_line_id=line_id))
    session.flush()
    _audit(session, actor, "shipment.create", shipment, lines={str(k): str(v) for k, v in chosen.items()})
    session.refresh(shipment)
    return shipment


# ---------------------------------------------------------------- transfers and outbound

def ship_transfer(session: Session, *, from_warehouse_id: int, to_warehouse_id: int, lines: list[tuple[int, Decimal]],
                  data: dict, actor: Actor, now: datetime) -> Shipment:
    """Dispatch a shipped transfer: the ledger issues every line at the source; the stock is in transit
    (this shipment's lines) until delivery receives it at the destination."""
    header = _clean(session, {"ship_date": now.date(), **data})
    transfer = stock_ledger.dispatch_transfer(session, from_warehouse_id=from_warehouse_id,
                                              to_warehouse_id=to_warehouse_id, lines=lines, actor=actor,
                                              note=header["notes"][:500])
    shipment = _new_shipment(session, "transfer", header, actor=actor, now=now, reference=f"TR-{transfer.id}",
                             transfer_id=transfer.id, from_warehouse_id=from_warehouse_id,
                             to_warehouse_id=to_warehouse_id, dispatched_at=now)
    for line in transfer.lines:
        session.add(ShipmentLine(shipment_id=shipment.id, item_id=line.item_id, qty=line.qty, transfer_line_id=line.id))
    session.flush()
    _record(session, shipment, event_id=f"dispatch-{shipment.id}", status="picked_up", occurred_at=now, now=now,
            source="staff", actor=actor)
    _audit(session, actor, "shipment.create", shipment, transfer_id=transfer.id)
    session.refresh(shipment)
    return shipment


def create_outbound(session: Session, *, warehouse_id: int, order_ref: str, customer: str,
                    lines: list[tuple[int, Decimal]], data: dict, actor: Actor, now: datetime) -> Shipment:
    """An order from the sales channel: reserve every line in the warehouse (all or nothing)."""
    if session.get(Warehouse, warehouse_id) is None:
        raise NotFound(f"warehouse {warehouse_id} does not exist")
    if not order_ref.strip() or not lines:
        raise ValidationFailed({"order_ref" if not order_ref.strip() else "lines": ["required"]})
    header = _clean(session, data)
    shipment = _new_shipment(session, "outbound", header, actor=actor, now=now, reference=order_ref.strip()[:80],
                             customer=customer.strip()[:120], from_warehouse_id=warehouse_id)
    for item_id, qty in lines:
        reservation = stock_ledger.reserve(session, item_id=item_id, warehouse_id=warehouse_id, qty=qty,
                                           reference=f"{order_ref} (shipment {shipment.id})", actor=actor)
        session.add(ShipmentLine(shipment_id=shipment.id, item_id=item_id, qty=reservation.qty,
                                 reservation_id=reservation.id))
    session.flush()
    _audit(session, actor, "shipment.create", shipment, customer=customer)
    session.refresh(shipment)
    return shipment


def dispatch_outbound(session: Session, shipment_id: int, *, actor: Actor, now: datetime) -> Shipment:
    """Hand an outbound shipment to the carrier: each reserved line is issued as a sale (demand history).
    Idempotent: one guarded update claims the dispatch; a repeat issues nothing."""
    shipment = get_shipment(session, shipment_id)
    if shipment.kind != "outbound":
        raise InvalidTransition("only outbound shipments are dispatched here", current=shipment.kind,
                                wanted="dispatched")
    claimed = session.execute(update(Shipment).where(Shipment.id == shipment_id, Shipment.dispatched_at.is_(None))
                              .values(dispatched_at=now).returning(Shipment.id)
                              .execution_options(synchronize_session=False)).scalar_one_or_none()
    if claimed is not None:
        for line in shipment.lines:
            stock_ledger.issue(session, item_id=line.item_id, warehouse_id=shipment.from_warehouse_id, qty=line.qty,
                               reason="sale", actor=actor, reservation_id=line.reservation_id,
                               source_type="shipment", source_id=shipment.id, note=shipment.reference)
        _record(session, shipment, event_id=f"dispatch-{shipment.id}", status="picked_up", occurred_at=now,
                now=now, source="staff", actor=actor)
        _audit(session, actor, "shipment.dispatch", shipment)
    session.refresh(shipment)
    return shipment


# ---------------------------------------------------------------- events

def get_shipment(session: Session, shipment_id: int) -> Shipment:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} does not exist")
    return shipment


def record_event(session: Session, shipment_id: int, *, status: str, occurred_at: datetime, now: datetime,
                 source: str, actor: Actor, event_id: str | None = None, location: str = "", reason: str = "",
                 eta: date | None = None) -> tuple[ShipmentEvent, bool]:
    """Add a status event; returns (event, created). A repeated event id returns the stored event and
    changes nothing. Raises NotFound, ValidationFailed."""
    shipment = get_shipment(session, shipment_id)
    errors: dict[str, list[str]] = {}
    if status not in EVENT_STATUSES:
        errors["status"] = [f"must be one of: {', '.join(EVENT_STATUSES)}"]
    if status == "exception" and not reason.strip():
        errors["reason"] = ["say what went wrong (an exception needs a reason)"]
    if not isinstance(occurred_at, datetime) or occurred_at.tzinfo is None:
        errors["occurred_at"] = ["a date and time with a timezone"]
    if source not in EVENT_SOURCES:
        errors["source"] = [f"must be one of: {', '.join(EVENT_SOURCES)}"]
    if errors:
        raise ValidationFailed(errors)
    event_id = (event_id or "").strip()[:120] or f"{source}-{shipment.id}-{status}-{occurred_at.isoformat()}"
    return _record(session, shipment, event_id=event_id, status=status, occurred_at=occurred_at, now=now,
                   source=source, actor=actor, location=location, reason=reason, eta=eta)


def _record(session: Session, shipment: Shipment, *, event_id: str, status: str, occurred_at: datetime,
            now: datetime, source: str, actor: Actor, location: str = "", reason: str = "",
            eta: date | None = None) -> tuple[ShipmentEvent, bool]:
    values = dict(shipment_id=shipment.id, event_id=event_id, status=status, occurred_at=occurred_at,
                  recorded_at=now, location=location.strip()[:120], reason=reason.strip()[:300], eta=eta,
                  source=source, actor_id=actor.user_id)
    stmt = _insert(session)(ShipmentEvent).values(**values).on_conflict_do_nothing(
        index_elements=["shipment_id", "event_id"]).returning(ShipmentEvent.id)
    new_id = session.execute(stmt).scalar_one_or_none()
    if new_id is None:  # a repeat: the first delivery of this event already counted
        existing = session.scalar(select(ShipmentEvent).where(ShipmentEvent.shipment_id == shipment.id,
                                                              ShipmentEvent.event_id == event_id))
        return existing, False
    _apply_event(session, shipment.id, status, occurred_at, reason, eta)
    session.expire(shipment)
    if status == "delivered" and shipment.kind == "transfer" and shipment.transfer_id is not None:
        stock_ledger.deliver_transfer(session, transfer_id=shipment.transfer_id, actor=actor, now=occurred_at)
    audit.record(session, actor, "shipment.event", "shipment", shipment.id, after={
        "event_id": event_id, "status": status, "occurred_at": occurred_at.isoformat(), "source": source,
        "reason": reason[:300], "eta": eta.isoformat() if eta else None})
    return session.get(ShipmentEvent, new_id), True


def _apply_event(session: Session, shipment_id: int, status: str, at: datetime, reason: str,
                 eta: date | None) -> None:
    """Guarded updates only: each moves the shipment forward or does nothing, whatever the arrival order."""
    this = Shipment.id == shipment_id
    newest = or_(Shipment.last_event_at.is_(None), Shipment.last_event_at <= at)
    values: dict[str, Any] = {"last_event_at": at}
    if eta is not None:
        values["eta"] = eta
    _guarded(session, update(Shipment).where(this, newest).values(**values))
    if status == "exception":
        _guarded(session, update(Shipment).where(this, Shipment.status.not_in(CLOSED_STATUSES),
                                                 or_(Shipment.status_at.is_(None), Shipment.status_at <= at))
                 .values(exception_reason=reason.strip()[:300], exception_at=at))
        return
    rank = STATUS_RANK[status]
    advance: dict[str, Any] = {"status": status, "status_rank": rank, "status_at": at}
    if status in CLOSED_STATUSES:
        advance.update(delivered_at=at, exception_reason="", exception_at=None, late=False)
    _guarded(session, update(Shipment).where(this, Shipment.status_rank < rank).values(**advance))
    _guarded(session, update(Shipment).where(this, Shipment.exception_at.is_not(None), Shipment.exception_at <= at)
             .values(exception_reason="", exception_at=None))


def _guarded(session: Session, stmt: Any) -> None:
    session.execute(stmt.execution_options(synchronize_session=False))


def timeline(session: Session, shipment_id: int) -> list[ShipmentEvent]:
    """Events in the order they happened (not the order they arrived)."""
    return list(session.scalars(select(ShipmentEvent).where(ShipmentEvent.shipment_id == shipment_id)
                                .order_by(ShipmentEvent.occurred_at, ShipmentEvent.id)))


def find_by_tracking(session: Session, carrier_code: str | None, tracking_number: str) -> Shipment | None:
    """The newest shipment with this tracking number (of this carrier when it is in our table)."""
    stmt = select(Shipment).where(Shipment.tracking_number == tracking_number.strip())
    if carrier_code:
        carrier = session.scalar(select(Carrier.id).where(func.lower(Carrier.code) == carrier_code.lower()))
        stmt = stmt.where(or_(Shipment.carrier_id == carrier, Shipment.carrier_id.is_(None)))
    return session.scalar(stmt.order_by(Shipment.id.desc()).limit(1)) if tracking_number.strip() else None


def record_tracking_update(session: Session, *, carrier_code: str, tracking_number: str, event_id: str,
                           status: str, occurred_at: datetime, now: datetime, source: str, actor: Actor,
                           location: str = "", reason: str = "", eta: date | None = None,
                           payload: dict | None = None) -> tuple[str, int | None]:
    """A carrier-side update keyed by tracking number: ("recorded"|"duplicate", shipment id), or
    ("unmatched", None) when no shipment has this tracking number; it is kept for review, not refused."""
    shipment = find_by_tracking(session, carrier_code, tracking_number)
    if shipment is None:
        stmt = _insert(session)(UnmatchedTrackingEvent).values(
            carrier_code=carrier_code[:20], tracking_number=tracking_number[:80], event_id=event_id[:120],
            status=status[:20], occurred_at=occurred_at, payload=payload, received_at=now, source=source,
        ).on_conflict_do_nothing(index_elements=["carrier_code", "event_id"])
        session.execute(stmt)
        return "unmatched", None
    _event, created = record_event(session, shipment.id, status=status, occurred_at=occurred_at, now=now,
                                   source=source, actor=actor, event_id=event_id, location=location,
                                   reason=reason, eta=eta)
    return ("recorded" if created else "duplicate"), shipment.id


def list_unmatched(session: Session, *, limit: int = 100) -> list[UnmatchedTrackingEvent]:
    return list(session.scalars(select(UnmatchedTrackingEvent).where(UnmatchedTrackingEvent.resolved_at.is_(None))
                                .order_by(UnmatchedTrackingEvent.id.desc()).limit(limit)))


def po_lines_of(session: Session, shipment: Shipment) -> list[tuple[PurchaseOrderLine, Decimal]]:
    ids = {line.po_line_id: line.qty for line in shipment.lines if line.po_line_id}
    if not ids:
        return []
    rows = session.scalars(select(PurchaseOrderLine).where(PurchaseOrderLine.id.in_(list(ids))))
    return [(row, ids[row.id]) for row in sorted(rows, key=lambda r: r.id)]


# ---------------------------------------------------------------- the supplier portal

SUPPLIER_STATUSES = ("picked_up", "in_transit", "at_hub", "out_for_delivery", "exception")


def supplier_shipments(session: Session, supplier_id: int, po_id: int) -> list[Shipment]:
    """The supplier's own inbound shipments of one order (scoped by the session's supplier id)."""
    return list(session.scalars(select(Shipment).where(Shipment.supplier_id == supplier_id, Shipment.po_id == po_id,
                                                       Shipment.kind == "inbound").order_by(Shipment.id)))


def record_supplier_event(session: Session, supplier_id: int, shipment_id: int, *, actor: Actor, now: datetime,
                          status: str, eta: date | None = None, reason: str = "",
                          location: str = "") -> tuple[ShipmentEvent, bool]:
    """A supplier updates its own inbound shipment (a new ETA, in transit, an exception): another
    supplier's shipment, or one that is not inbound, is NotFound. A supplier cannot mark delivery:
    that is the carrier's or our receipt's to say."""
    shipment = session.get(Shipment, shipment_id)
    if (actor.role != "supplier" or actor.supplier_id != supplier_id or shipment is None
            or shipment.supplier_id != supplier_id or shipment.kind != "inbound"):
        raise NotFound(f"shipment {shipment_id} does not exist")
    if status not in SUPPLIER_STATUSES:
        raise ValidationFailed({"status": [f"must be one of: {', '.join(SUPPLIER_STATUSES)}"]})
    return record_event(session, shipment.id, status=status, occurred_at=now, now=now, source="portal", actor=actor,
                        location=location, reason=reason, eta=eta)
