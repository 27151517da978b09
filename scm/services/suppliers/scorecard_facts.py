"""The facts scorecards are computed from: the interface purchasing and receiving call.

    record_po_sent(session, supplier_id=, po_ref=, sent_at=)            a PO went to the supplier
    record_confirmation(session, supplier_id=, po_ref=, confirmed_at=)  the supplier confirmed it
    record_delivery(session, supplier_id=, item_id=, ordered_on=, promised_on=, received_on=,
                    qty_ordered=, qty_received=, unit_price=, currency=, stated_lead_time_days=,
                    po_ref=, line_ref=, receipt_ref=)                   one receipt against one PO line
    record_inspection(session, supplier_id=, item_id=, inspected_on=, qty_inspected=, qty_accepted=,
                      po_ref=, receipt_ref=)                            quality inspection of a receipt

Times and dates are arguments (never the clock). Each call is idempotent on its key: (supplier, po_ref)
for orders, (supplier, receipt_ref) for deliveries and inspections when a receipt_ref is given, so a
retried receipt is not counted twice. Call `record_delivery` with `qty_received=0` when a line is closed
without delivery, so the fill rate sees it. Facts are records of events audited where they happen (the
PO transition, the receipt); they are not audited again here. The caller commits.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from scm.models import (
    CatalogEntry,
    DeliveryFact,
    InspectionFact,
    Item,
    PoFact,
    PriceBreak,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
)
from scm.services.kernel.errors import NotFound, ValidationFailed
from scm.services.suppliers.scorecard_metrics import Delivery, Facts, Inspection, OverdueLine
from scm.services.suppliers.scorecard_metrics import PurchaseOrder as OrderFact

QTY, MONEY = Decimal("0.001"), Decimal("0.0001")


def _amount(value: Any, key: str, places: Decimal, errors: dict, *, positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append("must be a number")
        return Decimal(0)
    if number < 0 or (positive and number == 0):
        errors.setdefault(key, []).append("must be greater than zero" if positive else "must be ≥ 0")
    return number.quantize(places)


def _aware(value: Any, key: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationFailed({key: ["a timezone-aware datetime is required"]})
    return value


def _check_refs(session: Session, supplier_id: int, item_id: int | None = None) -> None:
    if session.get(Supplier, supplier_id) is None:
        raise NotFound(f"supplier {supplier_id} does not exist")
    if item_id is not None and session.get(Item, item_id) is None:
        raise NotFound(f"item {item_id} does not exist")


def record_po_sent(session: Session, *, supplier_id: int, po_ref: str, sent_at: datetime) -> PoFact:
    """A purchase order was sent; sending it again keeps the first time."""
    _check_refs(session, supplier_id)
    sent_at = _aware(sent_at, "sent_at")
    fact = session.scalar(select(PoFact).where(PoFact.supplier_id == supplier_id, PoFact.po_ref == po_ref))
    if fact is None:
        fact = PoFact(supplier_id=supplier_id, po_ref=str(po_ref)[:64], sent_at=sent_at)
        session.add(fact)
        session.flush()
    return fact


def record_confirmation(session: Session, *, supplier_id: int, po_ref: str, confirmed_at: datetime) -> PoFact:
    """The supplier confirmed the order (fully or partly); the first confirmation counts."""
    confirmed_at = _aware(confirmed_at, "confirmed_at")
    fact = session.scalar(select(PoFact).where(PoFact.supplier_id == supplier_id, PoFact.po_ref == po_ref))
    if fact is None:
        raise NotFound(f"no sent purchase order {po_ref} for supplier {supplier_id}")
    if confirmed_at < fact.sent_at:
        raise ValidationFailed({"confirmed_at": ["a confirmation cannot come before the order was sent"]})
    if fact.confirmed_at is None:
        fact.confirmed_at = confirmed_at
        session.flush()
    return fact


def record_delivery(session: Session, *, supplier_id: int, item_id: int, ordered_on: date, promised_on: date,
                    received_on: date, qty_ordered: Any, qty_received: Any, unit_price: Any, currency: str,
                    stated_lead_time_days: int, po_ref: str = "", line_ref: str = "",
                    receipt_ref: str | None = None) -> DeliveryFact:
    """A receipt against a PO line. The best catalog price on the order date is captured with it."""
    _check_refs(session, supplier_id, item_id)
    if receipt_ref:
        existing = session.scalar(select(DeliveryFact).where(DeliveryFact.supplier_id == supplier_id,
                                                             DeliveryFact.receipt_ref == receipt_ref))
        if existing is not None:
            return existing
    errors: dict[str, list[str]] = {}
    ordered = _amount(qty_ordered, "qty_ordered", QTY, errors, positive=True)
    received = _amount(qty_received, "qty_received", QTY, errors)
    price = _amount(unit_price, "unit_price", MONEY, errors)
    for key, value in (("ordered_on", ordered_on), ("promised_on", promised_on), ("received_on", received_on)):
        if not isinstance(value, date) or isinstance(value, datetime):
            errors.setdefault(key, []).append("must be a date")
    if not errors and (promised_on < ordered_on or received_on < ordered_on):
        errors.setdefault("received_on", []).append("promised and received dates cannot be before the order")
    if int(stated_lead_time_days) < 0:
        errors.setdefault("stated_lead_time_days", []).append("must be ≥ 0")
    if errors:
        raise ValidationFailed(errors)
    fact = DeliveryFact(supplier_id=supplier_id, item_id=item_id, po_ref=po_ref[:64], line_ref=line_ref[:64],
                        receipt_ref=receipt_ref, ordered_on=ordered_on, promised_on=promised_on,
                        received_on=received_on, qty_ordered=ordered, qty_received=received, unit_price=price,
                        currency=currency.upper(), stated_lead_time_days=int(stated_lead_time_days),
                        best_price=best_catalog_price(session, item_id, ordered, currency.upper(), ordered_on))
    session.add(fact)
    session.flush()
    return fact


def record_inspection(session: Session, *, supplier_id: int, item_id: int, inspected_on: date, qty_inspected: Any,
                      qty_accepted: Any, po_ref: str = "", receipt_ref: str | None = None) -> InspectionFact:
    """Quality inspection of received goods: accepted ≤ inspected."""
    _check_refs(session, supplier_id, item_id)
    if receipt_ref:
        existing = session.scalar(select(InspectionFact).where(InspectionFact.supplier_id == supplier_id,
                                                               InspectionFact.receipt_ref == receipt_ref))
        if existing is not None:
            return existing
    errors: dict[str, list[str]] = {}
    inspected = _amount(qty_inspected, "qty_inspected", QTY, errors, positive=True)
    accepted = _amount(qty_accepted, "qty_accepted", QTY, errors)
    if not errors and accepted > inspected:
        errors["qty_accepted"] = ["cannot be more than was inspected"]
    if not isinstance(inspected_on, date):
        errors["inspected_on"] = ["must be a date"]
    if errors:
        raise ValidationFailed(errors)
    fact = InspectionFact(supplier_id=supplier_id, item_id=item_id, po_ref=po_ref[:64], receipt_ref=receipt_ref,
                          inspected_on=inspected_on, qty_inspected=inspected, qty_accepted=accepted)
    session.add(fact)
    session.flush()
    return fact


def best_catalog_price(session: Session, item_id: int, quantity: Decimal, currency: str, on: date) -> Decimal | None:
    """The lowest unit price any active catalog entry offers for this item, quantity and currency on `on`."""
    stmt = (select(func.min(PriceBreak.unit_price))
            .join(CatalogEntry, CatalogEntry.id == PriceBreak.entry_id)
            .where(CatalogEntry.item_id == item_id, CatalogEntry.active.is_(True), PriceBreak.currency == currency,
                   PriceBreak.min_qty <= quantity,
                   or_(PriceBreak.valid_from.is_(None), PriceBreak.valid_from <= on),
                   or_(PriceBreak.valid_to.is_(None), PriceBreak.valid_to >= on)))
    return session.scalar(stmt)


def load_facts(session: Session, start: date, end: date) -> Facts:
    """Every fact dated from `start` to `end` (inclusive), as the pure scorecard inputs."""
    deliveries = session.execute(select(
        DeliveryFact.supplier_id, DeliveryFact.po_ref, DeliveryFact.line_ref, DeliveryFact.id, DeliveryFact.ordered_on,
        DeliveryFact.promised_on, DeliveryFact.received_on, DeliveryFact.qty_ordered, DeliveryFact.qty_received,
        DeliveryFact.unit_price, DeliveryFact.stated_lead_time_days, DeliveryFact.best_price, DeliveryFact.item_id,
    ).where(DeliveryFact.received_on.between(start, end)))
    inspections = session.execute(select(
        InspectionFact.supplier_id, InspectionFact.inspected_on, InspectionFact.qty_inspected,
        InspectionFact.qty_accepted).where(InspectionFact.inspected_on.between(start, end)))
    orders = session.execute(select(PoFact.supplier_id, PoFact.sent_at, PoFact.confirmed_at).where(
        and_(PoFact.sent_at >= datetime.combine(start, time.min, tzinfo=timezone.utc),
             PoFact.sent_at < datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc))))
    return Facts(
        deliveries=tuple(Delivery(r[0], f"{r[1]}/{r[2]}" if r[2] else f"#{r[3]}", *r[4:]) for r in deliveries),
        inspections=tuple(Inspection(*r) for r in inspections),
        orders=tuple(OrderFact(*r) for r in orders), overdue=overdue_lines(session, start, end))


# An order in one of these states still owes its goods (sent and not received, closed or cancelled).
OPEN_ORDER_STATUSES = ("sent", "confirmed", "partially_confirmed", "in_transit")


def overdue_lines(session: Session, start: date, end: date) -> tuple[OverdueLine, ...]:
    """Open PO lines with nothing received whose promised date (the confirmed one, else the one asked
    for) fell from `start` to the day before `end`: on `end` they are overdue, whatever a shipment says."""
    promised = func.coalesce(PurchaseOrderLine.confirmed_date, PurchaseOrderLine.promised_date)
    rows = session.execute(
        select(PurchaseOrder.supplier_id, PurchaseOrder.number, PurchaseOrderLine.id, promised.label("promised"),
               PurchaseOrderLine.qty_ordered)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.po_id)
        .where(PurchaseOrder.status.in_(OPEN_ORDER_STATUSES), PurchaseOrderLine.qty_received == 0,
               promised >= start, promised < end))
    return tuple(OverdueLine(sid, f"{number}/{line_id}", day, qty) for sid, number, line_id, day, qty in rows)


def lead_time_stats(session: Session, item_id: int, supplier_ids: Iterable[int], *,
                    last: int = 10) -> dict[int, tuple[Decimal, int]]:
    """supplier -> (mean actual lead time in days over its last `last` receipts of this item, how many)."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    rows = session.execute(select(DeliveryFact.supplier_id, DeliveryFact.ordered_on, DeliveryFact.received_on)
                           .where(DeliveryFact.item_id == item_id, DeliveryFact.supplier_id.in_(ids),
                                  DeliveryFact.qty_received > 0)
                           .order_by(DeliveryFact.supplier_id, DeliveryFact.received_on.desc(), DeliveryFact.id.desc()))
    days: dict[int, list[int]] = {}
    for supplier_id, ordered_on, received_on in rows:
        if len(days.setdefault(supplier_id, [])) < last:
            days[supplier_id].append((received_on - ordered_on).days)
    return {sid: (Decimal(sum(values)) / len(values), len(values)) for sid, values in days.items()}
