"""The home page by role: an ordered list of panels, each a provider computing its data.

A panel is one row of PANELS: a key (templates/main/panels/_<key>.html renders it), the roles that see
it, and a function (session, DashboardContext) -> data, or None to leave the panel out. Adding a panel
is one line here plus its template. Figures are defined in README "Dashboard" and dashboard_kpis.py.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scm.models import PurchaseOrder, Supplier
from scm.services import dashboard_kpis as kpis
from scm.services import logistics_delays, scorecards, stock_warnings

EVERY_STAFF = frozenset({"admin", "buyer", "viewer", "warehouse"})
OFFICE = frozenset({"admin", "buyer", "viewer"})        # the whole picture
APPROVERS = frozenset({"admin", "buyer"})
LIST_LIMIT = 8
CACHED_SECONDS = 300   # stock value/turnover and slow/dead stock: at most 5 minutes old ...
SLOW_SECONDS = 0.5     # ... and only when computing them took this long (small databases stay live)


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
    # Figures that aggregate a year of the ledger may be reused this long (seconds) by a FigureCache.
    max_age: int = 0


class FigureCache:
    """Panel data kept for a panel's max_age, shared by the requests of one process (thread-safe).

    With 1M moves a year's turnover reads most of the ledger: seconds on SQLite. The figures are
    slow-moving by nature, so when they are slow to compute the page says how old they may be
    instead of recomputing them on every view.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[datetime, Any]] = {}

    def get(self, key: str, now: datetime, max_age: int) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or not (now - timedelta(seconds=max_age) <= entry[0] <= now):
            return None
        return entry[1]

    def put(self, key: str, now: datetime, data: Any) -> None:
        with self._lock:
            self._entries[key] = (now, data)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


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
    Panel("stock_figures", EVERY_STAFF, stock_figures, max_age=CACHED_SECONDS),
    Panel("awaiting_approval", APPROVERS, awaiting_approval),
    Panel("awaiting_confirmation", OFFICE, awaiting_confirmation),
    Panel("stock_outs", EVERY_STAFF, stock_outs),
    Panel("slow_dead", EVERY_STAFF, slow_and_dead, max_age=CACHED_SECONDS),
    Panel("fill_rate", OFFICE, fill_rate),
    Panel("supplier_ranking", OFFICE, supplier_ranking),
]


def panels_for(session: Session, ctx: DashboardContext, panels: list[Panel] | None = None,
               cache: FigureCache | None = None) -> list[tuple[str, Any]]:
    """(key, data) of every panel the role sees, in order; providers returning None are left out.
    With a cache, a panel with a max_age that took SLOW_SECONDS or more to compute is reused for
    max_age seconds."""
    out = []
    for panel in PANELS if panels is None else panels:
        if ctx.role not in panel.roles:
            continue
        data = cache.get(panel.key, ctx.now, panel.max_age) if cache is not None and panel.max_age else None
        if data is None:
            started = time.monotonic()
            data = panel.compute(session, ctx)
            slow = time.monotonic() - started >= SLOW_SECONDS
            if cache is not None and panel.max_age and data is not None and slow:
                cache.put(panel.key, ctx.now, data)
        if data is not None:
            out.append((panel.key, data))
    return out

