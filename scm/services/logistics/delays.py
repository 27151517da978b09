"""Delay detection: when a shipment is late, and what a late inbound shipment means for the buyer.

A shipment on which goods are still expected (not delivered, returned, received or cancelled; not
every line received; its order not received, closed or cancelled) is late when
  1. its ETA is after its promised date, or the promised date has passed without delivery;
  2. no tracking event arrived within the carrier's expected interval (`event_interval_hours`),
     counted from the last event (or from the ship date once it has passed);
  3. it has an open exception (a later progress event closes the exception).
`delay_reasons` is the pure rule; `detect_delays(session, now=...)` (the hourly job) stores the flag,
moves a passed ETA to today (the goods are not there, so the plan must not count them as arrived) and
audits each newly late shipment with the PO lines it carries: that audit entry, the shipments board,
the PO page and `late_inbound` are the buyer's alert. Projected stock follows automatically because
`scm.services.logistics.inbound` reads shipment ETAs. Time is always an argument.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, PurchaseOrder, Shipment, ShipmentLine, Supplier
from scm.models.logistics import CLOSED_STATUSES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.purchasing.arrivals import order_still_expecting, pending_lines


def delay_reasons(shipment: Shipment, now: datetime) -> list[str]:
    """Why an open shipment is late at `now` (empty: on time). Pure: reads only the shipment, its lines and
    its carrier. A shipment on which nothing is still expected (closed, or every line received) is never late."""
    if shipment.status in CLOSED_STATUSES or (shipment.lines and not pending_lines(shipment)):
        return []
    today, reasons = now.date(), []
    promised, eta = shipment.promised_date, shipment.eta
    if promised is not None and eta is not None and eta > promised:
        reasons.append(f"ETA {eta.isoformat()} is after the promised date {promised.isoformat()}")
    elif promised is not None and today > promised:
        reasons.append(f"not delivered by the promised date {promised.isoformat()}")
    since = shipment.last_event_at
    if since is None and shipment.ship_date is not None and shipment.ship_date <= today:
        since = datetime.combine(shipment.ship_date, time(0), tzinfo=timezone.utc)
    if shipment.carrier is not None and since is not None:
        quiet = now - since
        if quiet > timedelta(hours=shipment.carrier.event_interval_hours):
            reasons.append(f"no tracking event for {int(quiet.total_seconds() // 3600)} h "
                           f"({shipment.carrier.name} reports every {shipment.carrier.event_interval_hours} h)")
    if shipment.exception_reason:
        reasons.append(f"exception: {shipment.exception_reason}")
    return reasons


def days_late(shipment: Shipment, now: datetime) -> int:
    """Days between the promised date and the expected arrival (today at the earliest)."""
    if shipment.promised_date is None:
        return 0
    expected = max(shipment.eta or now.date(), now.date())
    return max((expected - shipment.promised_date).days, 0)


@dataclass(frozen=True)
class Finding:
    shipment_id: int
    kind: str
    reference: str
    reasons: tuple[str, ...]
    newly_late: bool


def detect_delays(session: Session, *, now: datetime, actor: Actor | None = None) -> list[Finding]:
    """Evaluate every open shipment at `now`; store `late`/`late_reason`, audit newly late ones (with the
    affected PO lines for inbound) and clear the flag of those on time again. Returns the late ones."""
    actor = actor or Actor.system("delay-detection")
    findings = []
    still_open = Shipment.status.not_in(CLOSED_STATUSES)
    expecting = set(session.scalars(select(Shipment.id).where(still_open, order_still_expecting())))
    for shipment in session.scalars(select(Shipment).where(still_open).order_by(Shipment.id)):
        if shipment.id not in expecting or (shipment.lines and not pending_lines(shipment)):
            # its order ended, or everything on it arrived: nothing to be late for, no ETA to move
            if shipment.late:
                audit.record(session, actor, "shipment.on_time_again", "shipment", shipment.id)
            shipment.late, shipment.late_reason = False, ""
            continue
        if shipment.eta is not None and shipment.eta < now.date():
            audit.record(session, actor, "shipment.eta_passed", "shipment", shipment.id,
                         before={"eta": shipment.eta.isoformat()}, after={"eta": now.date().isoformat()})
            shipment.eta = now.date()
        reasons = delay_reasons(shipment, now)
        newly = bool(reasons) and not shipment.late
        if newly:
            shipment.delay_detected_at = shipment.delay_detected_at or now
            audit.record(session, actor, "shipment.delayed", "shipment", shipment.id, after={
                "kind": shipment.kind, "reference": shipment.reference, "reasons": reasons,
                "po_lines": [line.po_line_id for line in shipment.lines if line.po_line_id]})
        elif not reasons and shipment.late:
            audit.record(session, actor, "shipment.on_time_again", "shipment", shipment.id)
        shipment.late, shipment.late_reason = bool(reasons), "; ".join(reasons)[:300]
        if reasons:
            findings.append(Finding(shipment.id, shipment.kind, shipment.reference, tuple(reasons), newly))
    session.flush()
    return findings


@dataclass(frozen=True)
class AffectedLine:
    po_line_id: int
    sku: str
    qty: Decimal


@dataclass(frozen=True)
class LateInbound:
    """A late inbound shipment as the buyer (and the dashboard) sees it."""

    shipment_id: int
    reference: str
    tracking_number: str
    supplier_id: int | None
    supplier_name: str
    po_id: int | None
    po_number: str
    lines: tuple[AffectedLine, ...]
    days_late: int
    reasons: tuple[str, ...]
    eta: date | None
    promised_date: date | None


def late_inbound(session: Session, now: datetime, *, po_id: int | None = None,
                 supplier_id: int | None = None) -> list[LateInbound]:
    """Open inbound shipments late at `now` (the rules above, evaluated live), most late first."""
    stmt = (select(Shipment, Supplier.name, PurchaseOrder.number)
            .outerjoin(Supplier, Supplier.id == Shipment.supplier_id)
            .outerjoin(PurchaseOrder, PurchaseOrder.id == Shipment.po_id)
            .where(Shipment.kind == "inbound", Shipment.status.not_in(CLOSED_STATUSES), order_still_expecting()))
    if po_id is not None:
        stmt = stmt.where(Shipment.po_id == po_id)
    if supplier_id is not None:
        stmt = stmt.where(Shipment.supplier_id == supplier_id)
    rows = [(s, name, number) for s, name, number in session.execute(stmt) if delay_reasons(s, now)]
    skus = _skus(session, [s.id for s, _n, _p in rows])
    out = [LateInbound(
        shipment_id=s.id, reference=s.reference, tracking_number=s.tracking_number, supplier_id=s.supplier_id,
        supplier_name=name or "", po_id=s.po_id, po_number=number or "",
        lines=tuple(AffectedLine(line.po_line_id, skus.get(line.item_id, ""), line.qty_pending)
                    for line in pending_lines(s) if line.po_line_id),
        days_late=days_late(s, now), reasons=tuple(delay_reasons(s, now)), eta=s.eta,
        promised_date=s.promised_date) for s, name, number in rows]
    return sorted(out, key=lambda r: (-r.days_late, r.shipment_id))


def _skus(session: Session, shipment_ids: list[int]) -> dict[int, str]:
    if not shipment_ids:
        return {}
    return dict(session.execute(select(Item.id, Item.sku).join(ShipmentLine, ShipmentLine.item_id == Item.id)
                                .where(ShipmentLine.shipment_id.in_(shipment_ids)).distinct()).all())


def late_po_lines(session: Session, now: datetime, po_id: int) -> dict[int, int]:
    """PO line id -> days late, for the PO page."""
    out: dict[int, int] = {}
    for row in late_inbound(session, now, po_id=po_id):
        for line in row.lines:
            out[line.po_line_id] = max(out.get(line.po_line_id, 0), row.days_late)
    return out
