"""The home page by role: an ordered list of panels, each a provider computing its data.

A panel is one row of PANELS: a key (templates/main/panels/_<key>.html renders it), the roles that see
it, and a function (session, DashboardContext) -> data, or None to leave the panel out. Adding a panel
is one line here plus its template. Figures are defined in README "Dashboard" and dashboard_kpis.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scm.models import PurchaseOrder, Supplier
from scm.services.dashboard import kpis
from scm.services.logistics import delays as logistics_delays
from scm.services.planning import warnings as stock_warnings
from scm.services.suppliers import scorecards

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
    # Aggregates the ledger (slow on a big database): the `dashboard-figures` job keeps a snapshot of it
    # (scm/services/dashboard/snapshots.py) and the page shows that, computing live only without one.
    snapshot: bool = False


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
    rows: list[dict[str, Any]]   # rank, code, name, overall, on_time, fill_rate, standing, evidence, supplier_id
    unrated: int = 0             # suppliers with activity but not enough evidence to rank


def supplier_ranking(session: Session, ctx: DashboardContext) -> Ranking:
    """The latest monthly scorecard with activity, best overall score first: rated suppliers only (enough
    evidence, see scorecard_metrics), each with the facts its scores rest on."""
    start, rows = scorecards.ranking(session, "month")
    ranked = [r for r in rows if r.rank is not None]
    return Ranking(start, [{"supplier_id": r.snapshot.supplier_id, "code": r.code, "name": r.name, "rank": r.rank,
                            "overall": r.snapshot.overall, "on_time": r.snapshot.on_time,
                            "fill_rate": r.snapshot.fill_rate, "standing": scorecards.standing_label(r.snapshot),
                            "metrics_counted": r.snapshot.metrics_counted, "evidence": r.evidence}
                           for r in ranked[:LIST_LIMIT]],
                   sum(1 for r in rows if r.rank is None and r.snapshot.overall is not None))


@dataclass(frozen=True)
class LateShipments:
    count: int
    worst: list[Any]   # logistics_delays.LateInbound, most late first


def late_inbound(session: Session, ctx: DashboardContext) -> LateShipments:
    """Inbound shipments late now (ETA past the promise, silent carrier, or an exception)."""
    rows = logistics_delays.late_inbound(session, ctx.now)
    return LateShipments(len(rows), rows[:LIST_LIMIT])


@dataclass(frozen=True)
class Warnings:
    counts: dict[str, int]   # severity -> unresolved warnings
    worst: list[Any]         # stock_warnings.WarningView: critical and warning, most severe and soonest first


def stock_warnings_panel(session: Session, ctx: DashboardContext) -> Warnings:
    """Projected stock-outs the plan raised and nobody has resolved (watch-level ones only counted)."""
    worst = [w for w in stock_warnings.open_warnings(session, limit=LIST_LIMIT * 3) if w.severity != "watch"]
    return Warnings(stock_warnings.counts(session), worst[:LIST_LIMIT])


# The order is the page's order: what needs someone today first.
PANELS: list[Panel] = [
    Panel("stock_warnings", EVERY_STAFF, stock_warnings_panel),
    Panel("late_inbound", EVERY_STAFF, late_inbound),
    Panel("stock_figures", EVERY_STAFF, stock_figures, snapshot=True),
    Panel("awaiting_approval", APPROVERS, awaiting_approval),
    Panel("awaiting_confirmation", OFFICE, awaiting_confirmation),
    Panel("stock_outs", EVERY_STAFF, stock_outs),
    Panel("slow_dead", EVERY_STAFF, slow_and_dead, snapshot=True),
    Panel("fill_rate", OFFICE, fill_rate),
    Panel("supplier_ranking", OFFICE, supplier_ranking),
]


def panels_for(session: Session, ctx: DashboardContext, panels: list[Panel] | None = None,
               snapshots: Mapping[str, Any] | None = None) -> list[tuple[str, Any]]:
    """(key, data) of every panel the role sees, in order; providers returning None are left out.
    A snapshot panel found in `snapshots` (key -> object with .data) is taken from there, not computed."""
    out = []
    for panel in PANELS if panels is None else panels:
        if ctx.role not in panel.roles:
            continue
        stored = snapshots.get(panel.key) if panel.snapshot and snapshots else None
        data = stored.data if stored is not None else panel.compute(session, ctx)
        if data is not None:
            out.append((panel.key, data))
    return out
