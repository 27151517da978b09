"""The supplier portal: a supplier's own orders, answers, shipping notices, certificates, scorecard and
forecast. Every function takes `supplier_id` from the caller (the logged-in user's company, never the URL
or a form) and filters on it: another supplier's order, and an order not yet sent, is NotFound.

Transitions are delegated to `purchasing` with the supplier's own Actor. Services flush; the caller commits.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scm.models import (
    CatalogEntry,
    Certification,
    Forecast,
    ForecastRun,
    Item,
    PurchaseOrder,
    ScorecardSnapshot,
    ShippingNotice,
    ShippingNoticeLine,
    SupplierDocument,
)
from scm.models.purchasing import AWAITING_GOODS_STATUSES

# What a supplier sees: everything from "sent" onwards (drafts and internal approval never), one rule.
from scm.models.purchasing import UNSENT_STATUSES as HIDDEN_STATUSES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed, line_labels
from scm.services.purchasing import orders as purchasing
from scm.services.suppliers import certifications, scorecards

ZERO = Decimal("0")
NOTICE_STATUSES = ("confirmed", "partially_confirmed", "in_transit", "partially_received")
FORECAST_PERIODS = 12


def _visible(supplier_id: int):  # type: ignore[no-untyped-def]
    return (PurchaseOrder.supplier_id == supplier_id, PurchaseOrder.status.not_in(HIDDEN_STATUSES),
            PurchaseOrder.sent_at.is_not(None))


def _check_actor(actor: Actor, supplier_id: int) -> None:
    """Only the supplier's own user acts in the portal (the id already came from their session)."""
    if actor.role != "supplier" or actor.supplier_id is None or actor.supplier_id != supplier_id:
        raise PermissionDenied("only the supplier's own users act in the portal")


# ---------------------------------------------------------------- orders

def list_orders(session: Session, supplier_id: int, status: str | None = None) -> list[PurchaseOrder]:
    """The supplier's orders from "sent" onwards, newest first; `status` narrows ("open" = still to deliver)."""
    stmt = select(PurchaseOrder).where(*_visible(supplier_id))
    if status == "open":
        stmt = stmt.where(PurchaseOrder.status.in_(AWAITING_GOODS_STATUSES))
    elif status:
        stmt = stmt.where(PurchaseOrder.status == status)
    return list(session.scalars(stmt.order_by(PurchaseOrder.id.desc())))


def get_order(session: Session, supplier_id: int, po_id: int) -> PurchaseOrder:
    """The supplier's own, sent order; NotFound for another supplier's, a draft or a missing one."""
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.id == po_id, *_visible(supplier_id)))
    if order is None:
        raise NotFound(f"purchase order {po_id} does not exist")
    return order


def confirm(session: Session, supplier_id: int, po_id: int, *, actor: Actor, now: datetime,
            lines: dict[int, tuple[Any, date | None]] | None = None, note: str = "") -> PurchaseOrder:
    """Confirm in full (no `lines`), or per line {line_id: (qty, date or None)}: less than ordered on any
    line makes it partially confirmed. Rules (≤ ordered, date on or after the order) are purchasing's."""
    _check_actor(actor, supplier_id)
    get_order(session, supplier_id, po_id)
    return purchasing.confirm(session, po_id, actor=actor, now=now, lines=lines, note=note)


def propose_dates(session: Session, supplier_id: int, po_id: int, *, actor: Actor, now: datetime,
                  dates: dict[int, date], note: str = "") -> PurchaseOrder:
    """Confirm the full quantities with other delivery dates on the given lines."""
    order = get_order(session, supplier_id, po_id)
    known = {line.id: line for line in order.lines}
    lines = {line_id: (known[line_id].qty_ordered if line_id in known else ZERO, day)
             for line_id, day in dates.items()}
    return confirm(session, supplier_id, po_id, actor=actor, now=now, lines=lines, note=note)


def reject(session: Session, supplier_id: int, po_id: int, *, actor: Actor, now: datetime,
           reason: str) -> PurchaseOrder:
    """Refuse a sent order with a reason (required)."""
    _check_actor(actor, supplier_id)
    get_order(session, supplier_id, po_id)
    return purchasing.reject_by_supplier(session, po_id, actor=actor, now=now, reason=reason)


# ---------------------------------------------------------------- advance shipping notices

@dataclass(frozen=True)
class LineItem:
    """How a supplier recognises an order line: our SKU and name, and its own part number if known."""

    sku: str
    name: str
    supplier_sku: str


def line_items(session: Session, supplier_id: int, order: PurchaseOrder) -> dict[int, LineItem]:
    """item id -> LineItem for the lines of one of this supplier's orders (one query)."""
    ids = sorted({line.item_id for line in order.lines})
    rows = session.execute(
        select(Item.id, Item.sku, Item.name, CatalogEntry.supplier_sku).where(Item.id.in_(ids))
        .outerjoin(CatalogEntry, (CatalogEntry.item_id == Item.id) & (CatalogEntry.supplier_id == supplier_id)))
    return {item_id: LineItem(sku, name, theirs or "") for item_id, sku, name, theirs in rows}


def noticed_qty(session: Session, po_id: int) -> dict[int, Decimal]:
    """PO line id -> the quantity already announced by shipping notices."""
    rows = session.execute(select(ShippingNoticeLine.po_line_id, func.sum(ShippingNoticeLine.qty))
                           .join(ShippingNotice, ShippingNotice.id == ShippingNoticeLine.notice_id)
                           .where(ShippingNotice.po_id == po_id).group_by(ShippingNoticeLine.po_line_id))
    return {line_id: Decimal(total or 0) for line_id, total in rows}


def notice_room(session: Session, order: PurchaseOrder) -> dict[int, Decimal]:
    """PO line id -> what may still be announced: confirmed (or ordered) minus already noticed."""
    done = noticed_qty(session, order.id)
    return {line.id: max((line.confirmed_qty if line.confirmed_qty is not None else line.qty_ordered)
                         - done.get(line.id, ZERO), ZERO) for line in order.lines}


def list_notices(session: Session, supplier_id: int, po_id: int) -> list[ShippingNotice]:
    get_order(session, supplier_id, po_id)
    return list(session.scalars(select(ShippingNotice).where(
        ShippingNotice.po_id == po_id, ShippingNotice.supplier_id == supplier_id).order_by(ShippingNotice.id)))


def _clean_header(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    fields = {key: str(data.get(key) or "").strip() for key in ("carrier", "tracking_number")}
    for key, value in fields.items():
        if not value or len(value) > 80:
            errors[key] = ["required, at most 80 characters"]
    ship, arrival = data.get("ship_date"), data.get("expected_arrival")
    for key, value in (("ship_date", ship), ("expected_arrival", arrival)):
        if not isinstance(value, date):
            errors[key] = ["required: a date (YYYY-MM-DD)"]
    if "ship_date" not in errors and "expected_arrival" not in errors and arrival < ship:  # type: ignore[operator]
        errors["expected_arrival"] = ["must be on or after the ship date"]
    if errors:
        raise ValidationFailed(errors)
    return {**fields, "ship_date": ship, "expected_arrival": arrival}


def _clean_lines(order: PurchaseOrder, room: dict[int, Decimal], lines: dict[int, Any]) -> dict[int, Decimal]:
    errors: dict[str, list[str]] = {}
    chosen: dict[int, Decimal] = {}
    for line_id, raw in sorted(lines.items()):
        key = f"lines[{line_id}]"
        if line_id not in room:
            errors[key] = [f"line id {line_id} is not on {order.number}"]
            continue
        qty = purchasing.parse_quantity(raw if raw not in (None, "") else "0", key, errors, allow_zero=True)
        if qty > room[line_id]:
            errors.setdefault(key, []).append(f"at most {purchasing.format_quantity(room[line_id])} can still be shipped")
        elif qty > 0:
            chosen[line_id] = qty
    if not errors and not chosen:
        errors["lines"] = ["give a quantity for at least one line"]
    if errors:
        raise ValidationFailed(errors, labels=line_labels(order.lines, unknown=set(lines) - set(room)))
    return chosen


def create_notice(session: Session, supplier_id: int, po_id: int, *, actor: Actor, now: datetime, data: dict,
                  lines: dict[int, Any]) -> ShippingNotice:
    """Announce a shipment of a confirmed order: `data` has carrier, tracking_number, ship_date and
    expected_arrival; `lines` maps a PO line id to the quantity shipped (≤ confirmed or ordered minus
    already noticed). A confirmed order becomes in transit. Raises NotFound, InvalidTransition,
    ValidationFailed."""
    _check_actor(actor, supplier_id)
    get_order(session, supplier_id, po_id)
    order = purchasing.lock_order(session, po_id, actor=actor)
    if order.status not in NOTICE_STATUSES:
        raise InvalidTransition(f"purchase order {order.number} is {order.status}; confirm it before shipping",
                                current=order.status, wanted="in_transit")
    header = _clean_header(data)
    chosen = _clean_lines(order, notice_room(session, order), lines)
    notice = ShippingNotice(po_id=order.id, supplier_id=supplier_id, created_at=now, created_by=actor.user_id,
                            **header)
    session.add(notice)
    session.flush()
    for line_id, qty in chosen.items():
        session.add(ShippingNoticeLine(notice_id=notice.id, po_line_id=line_id, qty=qty))
    session.flush()
    audit.record(session, actor, "shipping_notice.create", "purchase_order", order.id,
                 after={"notice_id": notice.id, "carrier": header["carrier"], "tracking": header["tracking_number"],
                        "lines": {str(k): str(v) for k, v in chosen.items()}})
    from scm.services.logistics import shipments as logistics
    logistics.create_inbound_from_notice(session, notice, actor=actor, now=now,
                                         data={"carrier_id": data.get("carrier_id")} if data.get("carrier_id") else None)
    if "in_transit" in purchasing.TRANSITIONS.get(order.status, frozenset()):
        purchasing.mark_in_transit(session, order.id, actor=actor, now=now,
                                   note=f"shipping notice {notice.id}: {header['carrier']} {header['tracking_number']}")
    session.refresh(notice, ["lines"])
    return notice


# ---------------------------------------------------------------- certificates, scorecard, forecast

def add_certificate(session: Session, supplier_id: int, data: dict, *, actor: Actor, file: bytes | None = None,
                    filename: str = "") -> Certification:
    """A certificate for the supplier's own company (the file checked like any document)."""
    _check_actor(actor, supplier_id)
    return certifications.add_certification(session, supplier_id, data, actor=actor, file=file, filename=filename)


def list_certificates(session: Session, supplier_id: int) -> list[Certification]:
    return certifications.list_certifications(session, supplier_id)


def get_document(session: Session, supplier_id: int, document_id: int) -> SupplierDocument:
    """One of the supplier's own documents; NotFound for another supplier's."""
    document = session.get(SupplierDocument, document_id)
    if document is None or document.supplier_id != supplier_id:
        raise NotFound(f"document {document_id} does not exist")
    return document


def my_scorecard(session: Session, supplier_id: int, periods: int = 6) -> list[ScorecardSnapshot]:
    """The supplier's latest monthly snapshots, oldest first."""
    return scorecards.history(session, supplier_id, "month")[-periods:]


@dataclass(frozen=True)
class ItemForecast:
    item_id: int
    sku: str
    name: str
    freq: str
    periods: tuple[tuple[str, float], ...]  # (period start, forecast quantity summed over warehouses)


def _latest_forecasts(session: Session, item_ids: list[int]) -> list[Forecast]:
    newest = (select(Forecast.item_id, Forecast.warehouse_id, func.max(Forecast.run_id).label("run_id"))
              .join(ForecastRun, ForecastRun.id == Forecast.run_id)
              .where(Forecast.item_id.in_(item_ids), ForecastRun.status == "ok")
              .group_by(Forecast.item_id, Forecast.warehouse_id).subquery())
    return list(session.scalars(select(Forecast).join(newest, (newest.c.item_id == Forecast.item_id)
                                                      & (newest.c.warehouse_id == Forecast.warehouse_id)
                                                      & (newest.c.run_id == Forecast.run_id))))


def my_forecast(session: Session, supplier_id: int, periods: int = FORECAST_PERIODS) -> list[ItemForecast]:
    """Collaborative planning: for each item the supplier has a catalog entry for, the newest forecast of
    every warehouse summed per period (the next `periods` periods). Items without a forecast are left out."""
    items = {item.id: item for item in session.scalars(
        select(Item).join(CatalogEntry, CatalogEntry.item_id == Item.id)
        .where(CatalogEntry.supplier_id == supplier_id).distinct())}
    if not items:
        return []
    sums: dict[tuple[int, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in _latest_forecasts(session, sorted(items)):
        for start, mean in zip(row.period_starts, row.mean):
            sums[(row.item_id, row.freq)][start] += float(mean)
    result = [ItemForecast(item_id, items[item_id].sku, items[item_id].name, freq,
                           tuple(sorted(by_start.items()))[:periods])
              for (item_id, freq), by_start in sums.items()]
    return sorted(result, key=lambda f: (f.sku, f.freq))
