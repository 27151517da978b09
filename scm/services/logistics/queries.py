"""Read-only questions about shipments: the board (filters by kind, status, carrier, late) and the
"where is it" summary per warehouse (arriving today, this week, late). Times are arguments."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from scm.models import Carrier, Shipment, Warehouse
from scm.models.logistics import CLOSED_STATUSES, SHIPMENT_KINDS, STATUS_RANK
from scm.services.kernel.errors import ValidationFailed
from scm.services.logistics.delays import delay_reasons


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    status: str = ""  # a status, "open" or "" (all)
    carrier: str = ""  # carrier code
    late: bool = False
    warehouse_id: int | None = None
    supplier_id: int | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> "Filters":
        kind = args.get("kind", "") if args.get("kind", "") in SHIPMENT_KINDS else ""
        status = args.get("status", "")
        status = status if status in STATUS_RANK or status == "open" else ""
        try:
            warehouse = int(args.get("warehouse_id") or 0) or None
        except ValueError:
            warehouse = None
        if warehouse is not None and not 0 < warehouse < 2**31:  # what an INTEGER id holds
            raise ValidationFailed({"warehouse_id": ["no such warehouse"]})
        return cls(kind=kind, status=status, carrier=str(args.get("carrier", ""))[:20],
                   late=str(args.get("late", "")).lower() in ("1", "true", "yes", "on"), warehouse_id=warehouse,
                   q=str(args.get("q", "")).strip()[:80])


def board_query(filters: Filters) -> Select:
    stmt = select(Shipment)
    if filters.kind:
        stmt = stmt.where(Shipment.kind == filters.kind)
    if filters.status == "open":
        stmt = stmt.where(Shipment.status.not_in(CLOSED_STATUSES))
    elif filters.status:
        stmt = stmt.where(Shipment.status == filters.status)
    if filters.carrier:
        stmt = stmt.join(Carrier, Carrier.id == Shipment.carrier_id).where(Carrier.code == filters.carrier.upper())
    if filters.warehouse_id:
        stmt = stmt.where(or_(Shipment.to_warehouse_id == filters.warehouse_id,
                              Shipment.from_warehouse_id == filters.warehouse_id))
    if filters.supplier_id:
        stmt = stmt.where(Shipment.supplier_id == filters.supplier_id)
    if filters.q:
        like = f"%{filters.q}%"
        stmt = stmt.where(or_(Shipment.tracking_number.ilike(like), Shipment.reference.ilike(like),
                              Shipment.customer.ilike(like)))
    return stmt.order_by(Shipment.eta.is_(None), Shipment.eta, Shipment.id.desc())


def board(session: Session, filters: Filters, *, now: datetime, limit: int = 200) -> list[Shipment]:
    """Shipments matching the filters, soonest ETA first; `late` keeps those late at `now` (rules evaluated
    live, so the board is right between two runs of the delay job)."""
    stmt = board_query(filters)
    if filters.late:
        stmt = stmt.where(Shipment.status.not_in(CLOSED_STATUSES))
        return [s for s in session.scalars(stmt) if delay_reasons(s, now)][:limit]
    return list(session.scalars(stmt.limit(limit)))


@dataclass
class WarehouseSummary:
    warehouse_id: int
    code: str
    name: str
    today: list[Shipment] = field(default_factory=list)
    this_week: list[Shipment] = field(default_factory=list)
    late: list[Shipment] = field(default_factory=list)
    in_transit_out: int = 0


def where_is_it(session: Session, *, now: datetime) -> list[WarehouseSummary]:
    """Per warehouse: open shipments arriving today, in the next 7 days, and late (a late one is only
    under "late"); plus how many leave it and are still on the road."""
    today, week_end = now.date(), now.date() + timedelta(days=7)
    summary = {w.id: WarehouseSummary(w.id, w.code, w.name)
               for w in session.scalars(select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.code))}
    for shipment in session.scalars(select(Shipment).where(Shipment.status.not_in(CLOSED_STATUSES))
                                    .order_by(Shipment.eta, Shipment.id)):
        into = summary.get(shipment.to_warehouse_id) if shipment.to_warehouse_id else None
        if shipment.from_warehouse_id in summary and shipment.dispatched_at is not None:
            summary[shipment.from_warehouse_id].in_transit_out += 1
        if into is None:
            continue
        if delay_reasons(shipment, now):
            into.late.append(shipment)
        elif shipment.eta == today:
            into.today.append(shipment)
        elif shipment.eta is not None and today < shipment.eta <= week_end:
            into.this_week.append(shipment)
    return list(summary.values())
