"""The home page by role: an ordered list of panels, each a provider computing its data.

A panel is one row of PANELS: a key (templates/main/panels/_<key>.html renders it), the roles that see
it, and a function (session, DashboardContext) -> data, or None to leave the panel out. Adding a panel
is one line here plus its template. Figures are defined in README "Dashboard" and dashboard_kpis.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scm.models import PurchaseOrder, Supplier
from scm.services import dashboard_kpis as kpis
from scm.services import scorecards

EVERY_STAFF = frozenset({"admin", "buyer", "viewer", "warehouse"})
OFFICE = frozenset({"admin", "buyer", "viewer"})        # the whole picture
APPROVERS = frozenset({"admin", "buyer"})
LIST_LIMIT = 8


@dataclass(frozen=True)
class DashboardContext:
    now: datetime
    role: str
    user_id: int | None = None


@dataclass(frozen=True)
class Panel:
    key: str
    roles: frozenset[str]
    compute: Callable[[Session, DashboardContext], Any]


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    supplier: str
    since: datetime | None
    age_days: int | None


@dataclass(frozen=True)
class OrdersWaiting:
    count: int
    oldest: list[OrderRow]


def _orders_waiting(session: Session, status: str, stamp: Any, now: datetime) -> OrdersWaiting:
    count = session.scalar(select(func.count()).select_from(PurchaseOrder).where(PurchaseOrder.status == status)) or 0
    rows = session.execute(select(PurchaseOrder.id, PurchaseOrder.number, Supplier.code, stamp)
                           .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
                           .where(PurchaseOrder.status == status)
                           .order_by(stamp.asc(), PurchaseOrder.id).limit(LIST_LIMIT))
    return OrdersWaiting(count, [OrderRow(i, n, s, at, (now - at).days if at else None) for i, n, s, at in rows])


def awaiting_approval(session: Session, ctx: DashboardContext) -> OrdersWaiting:
    """Orders pending approval, oldest submission first (over the submitter's approval limit)."""
    return _orders_waiting(session, "pending_approval", PurchaseOrder.submitted_at, ctx.now)


def awaiting_confirmation(session: Session, ctx: DashboardContext) -> OrdersWaiting:
    """Orders sent to the supplier and not yet confirmed or rejected, with days since sending."""
    return _orders_waiting(session, "sent", PurchaseOrder.sent_at, ctx.now)


@dataclass(frozen=True)
class StockFigures:
    value: kpis.StockValue
    turnover: kpis.Turnover


def stock_figures(session: Session, ctx: DashboardContext) -> StockFigures:
    value = kpis.stock_value(session)
    return StockFigures(value, kpis.turnover(session, now=ctx.now, closing_value=value.total))


def stock_outs(session: Session, ctx: DashboardContext) -> kpis.StockOuts:
    return kpis.stock_outs(session, now=ctx.now, worst=LIST_LIMIT)


def slow_and_dead(session: Session, ctx: DashboardContext) -> kpis.SlowDead:
    return kpis.slow_and_dead(session, now=ctx.now, worst=LIST_LIMIT)


def fill_rate(session: Session, ctx: DashboardContext) -> kpis.FillRate:
    return kpis.inbound_fill_rate(session, now=ctx.now)


@dataclass(frozen=True)
class Ranking:
    period_start: Any
    rows: list[dict[str, Any]]   # code, name, overall, on_time, fill_rate, supplier_id


def supplier_ranking(session: Session, ctx: DashboardContext) -> Ranking:
    """The latest monthly scorecard with activity, best overall score first (suppliers with activity only)."""
    start, rows = scorecards.ranking(session, "month")
    scored = [r for r in rows if r.snapshot.overall is not None][:LIST_LIMIT]
    return Ranking(start, [{"supplier_id": r.snapshot.supplier_id, "code": r.code, "name": r.name,
                            "overall": r.snapshot.overall, "on_time": r.snapshot.on_time,
                            "fill_rate": r.snapshot.fill_rate, "standing": r.snapshot.standing}
                           for r in scored])


# The order is the page's order. Two slots are kept for panels of other areas (wired on merge):
#   Panel("critical_warnings", EVERY_STAFF, <replenishment: critical stock-out warnings>),
#   Panel("late_inbound", EVERY_STAFF, <logistics: late inbound shipments>),
# belong at the top, before "stock_figures".
PANELS: list[Panel] = [
    Panel("stock_figures", EVERY_STAFF, stock_figures),
    Panel("awaiting_approval", APPROVERS, awaiting_approval),
    Panel("awaiting_confirmation", OFFICE, awaiting_confirmation),
    Panel("stock_outs", EVERY_STAFF, stock_outs),
    Panel("slow_dead", EVERY_STAFF, slow_and_dead),
    Panel("fill_rate", OFFICE, fill_rate),
    Panel("supplier_ranking", OFFICE, supplier_ranking),
]


def panels_for(session: Session, ctx: DashboardContext,
               panels: list[Panel] | None = None) -> list[tuple[str, Any]]:
    """(key, data) of every panel the role sees, in order; providers returning None are left out."""
    out = []
    for panel in PANELS if panels is None else panels:
        if ctx.role in panel.roles:
            data = panel.compute(session, ctx)
            if data is not None:
                out.append((panel.key, data))
    return out

