"""Stock-out warnings: raised and updated by each plan, resolved when the projection recovers,
acknowledged by buyers, e-mailed to buyers once.

At most one unresolved warning exists per item × warehouse. A plan that still sees the problem updates
it (severity, date, quantity short, open orders); a plan that no longer sees it resolves it. A warning
that escalates to a more severe level is re-opened and e-mailed again; otherwise nobody is e-mailed twice.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, MutableMapping

from sqlalchemy import Select, case, select, update
from sqlalchemy.orm import Session

from scm import formatting
from scm.models import Item, StockWarning, User, Warehouse
from scm.services.kernel import audit, bulk
from scm.services.kernel import mail as mailer
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition, NotFound, PermissionDenied
from scm.services.planning import figures as replenishment_figures

if TYPE_CHECKING:
    from scm.services.planning.pair_plan import PairPlan

RANK = {"critical": 0, "warning": 1, "watch": 2}
UNRESOLVED = ("open", "acknowledged")
QTY = Decimal("0.001")
CHUNK = 2000


def _fields(pair: PairPlan, as_of: date) -> dict[str, Any]:
    figures = pair.figures()
    stockout = figures.stockout_on
    if pair.severity == "critical":
        reason = (f"projected stock-out on {stockout} before the earliest possible delivery "
                  f"({as_of + timedelta(days=pair.earliest_days)})")
    elif pair.severity == "warning":
        reason = (f"inventory position {pair.position:.0f} below reorder point {pair.reorder_point:.0f}"
                  if pair.position < pair.reorder_point else
                  f"{pair.cover_days:.1f} days of cover, under the minimum of {pair.min_cover_days}")
    else:
        reason = f"projected stock-out on {stockout}"
    return {"severity": pair.severity, "stockout_on": stockout, "qty_short": figures.qty_short,
            "days_of_cover": None if figures.days_of_cover is None else float(figures.days_of_cover),
            "stockout_probability": round(pair.probability, 4), "reason": reason, "open_orders": pair.open_orders,
            "last_seen_on": as_of}


def reconcile(session: Session, pairs: list[PairPlan], *, as_of: date, item_ids: list[int] | None,
              horizon_end: date) -> dict[str, int]:
    """Raise, update and resolve warnings from the plan's pairs (bulk statements). Returns counts."""
    stmt = select(StockWarning).where(StockWarning.status.in_(UNRESOLVED))
    if item_ids is not None:
        stmt = stmt.where(StockWarning.item_id.in_(item_ids))
    current = {(w.item_id, w.warehouse_id): w for w in session.scalars(stmt)}
    new, changed = [], []
    for pair in pairs:
        key = (pair.item_id, pair.warehouse_id)
        if pair.severity is None:
            continue
        fields = _fields(pair, as_of)
        existing = current.pop(key, None)
        if existing is None:
            new.append({"item_id": key[0], "warehouse_id": key[1], "status": "open", "raised_on": as_of, **fields})
            continue
        if RANK[pair.severity] < RANK[existing.severity]:  # escalated: back to open, e-mail again
            fields.update(status="open", notified_at=None, acknowledged_at=None, acknowledged_by=None)
        elif _same(existing, fields):
            continue
        changed.append({"id": existing.id, **fields})
    resolved = [{"id": w.id, "status": "resolved", "resolved_on": as_of} for w in current.values()]
    bulk.insert_rows(session, StockWarning, new)
    escalated = [row for row in changed if "notified_at" in row]
    bulk.update_rows(session, StockWarning, [row for row in changed if "notified_at" not in row])
    bulk.update_rows(session, StockWarning, escalated)
    bulk.update_rows(session, StockWarning, resolved)
    return {"raised": len(new), "updated": len(changed), "resolved": len(resolved)}


def _same(existing: StockWarning, fields: dict[str, Any]) -> bool:
    """Nothing a buyer would see changed (the plan then leaves the row alone: no write)."""
    return all(getattr(existing, key) == value for key, value in fields.items() if key != "last_seen_on")


@dataclass(frozen=True)
class WarningView:
    """A warning as the dashboard, the warnings page and the API show it."""

    id: int
    severity: str
    status: str
    sku: str
    item_name: str
    item_id: int
    warehouse_id: int
    warehouse: str
    stockout_on: date | None
    qty_short: Decimal
    days_of_cover: Decimal | None  # replenishment_figures.cover: to 0.1 day
    stockout_probability: float | None
    reason: str
    open_orders: list
    raised_on: date
    acknowledged_at: datetime | None
    notified_at: datetime | None
    suggested_qty: Decimal = Decimal(0)  # replenishment_figures.suggested_quantities of the pair

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key in ("stockout_on", "raised_on", "acknowledged_at", "notified_at"):
            out[key] = out[key].isoformat() if out[key] else None
        out["qty_short"] = str(self.qty_short)
        out["days_of_cover"] = None if self.days_of_cover is None else float(self.days_of_cover)
        out["suggested_qty"] = f"{self.suggested_qty.normalize():f}"
        return out


def warnings_query(*, severity: str | None = None, warehouse_id: int | None = None,
                   status: str | None = None) -> Select:
    """Unresolved warnings (or those of `status`) with item SKU/name and warehouse code, most severe and
    soonest first (no stock-out date last), as one statement a page can limit and count."""
    stmt = (select(StockWarning, Item.sku, Item.name, Warehouse.code)
            .join(Item, Item.id == StockWarning.item_id).join(Warehouse, Warehouse.id == StockWarning.warehouse_id))
    stmt = stmt.where(StockWarning.status == status) if status else stmt.where(StockWarning.status.in_(UNRESOLVED))
    if severity:
        stmt = stmt.where(StockWarning.severity == severity)
    if warehouse_id:
        stmt = stmt.where(StockWarning.warehouse_id == warehouse_id)
    return stmt.order_by(case(RANK, value=StockWarning.severity, else_=len(RANK)), StockWarning.stockout_on.is_(None),
                         StockWarning.stockout_on, Item.sku, Warehouse.code, StockWarning.id)


def as_view(row: Any) -> WarningView:
    """One (StockWarning, sku, name, warehouse code) row of `warnings_query` as a WarningView."""
    w, sku, name, code = row
    return WarningView(w.id, w.severity, w.status, sku, name, w.item_id, w.warehouse_id, code, w.stockout_on,
                       w.qty_short, replenishment_figures.cover(w.days_of_cover), w.stockout_probability, w.reason,
                       list(w.open_orders or []), w.raised_on, w.acknowledged_at, w.notified_at)


def as_views(session: Session, rows: Any) -> list[WarningView]:
    """Rows of `warnings_query` as WarningViews with the suggested quantity of each pair (one more query)."""
    views = [as_view(row) for row in rows]
    suggested = replenishment_figures.suggested_quantities(session, [(v.item_id, v.warehouse_id) for v in views])
    return [replace(v, suggested_qty=suggested.get((v.item_id, v.warehouse_id), Decimal(0))) for v in views]


def list_warnings(session: Session, *, severity: str | None = None, warehouse_id: int | None = None,
                  status: str | None = None, limit: int = 500) -> list[WarningView]:
    """Unresolved warnings (or those of `status`), most severe and soonest first."""
    stmt = warnings_query(severity=severity, warehouse_id=warehouse_id, status=status).limit(limit)
    return as_views(session, session.execute(stmt))


def open_warnings(session: Session, severity: str | None = None, limit: int = 20) -> list[WarningView]:
    """For the dashboard: unresolved warnings with item SKU/name, warehouse code, date, quantity short
    and the open orders involved, most severe first."""
    return list_warnings(session, severity=severity, limit=limit)


def counts(session: Session) -> dict[str, int]:
    out = {s: 0 for s in RANK}
    for (severity,) in session.execute(select(StockWarning.severity).where(StockWarning.status.in_(UNRESOLVED))):
        out[severity] += 1
    return out


def acknowledge(session: Session, warning_id: int, *, actor: Actor, now: datetime) -> StockWarning:
    """A buyer has seen it: it stays listed (marked) until the projection recovers."""
    if actor.role not in ("admin", "buyer"):
        raise PermissionDenied("only buyers and admins acknowledge stock warnings")
    warning = session.get(StockWarning, warning_id)
    if warning is None:
        raise NotFound(f"stock warning {warning_id} does not exist")
    if warning.status != "open":
        raise InvalidTransition(f"the warning is {warning.status}; only open warnings can be acknowledged",
                                current=warning.status, wanted="acknowledged")
    warning.status, warning.acknowledged_at, warning.acknowledged_by = "acknowledged", now, actor.user_id
    audit.record(session, actor, "stock_warning.acknowledge", "stock_warning", warning.id,
                 after={"severity": warning.severity})
    session.flush()
    return warning


def notify_buyers(session: Session, mail_config: MutableMapping[str, Any], *, now: datetime) -> int:
    """E-mail active buyers one digest of the critical and warning warnings not e-mailed yet; marks them.
    Returns how many warnings were in the digest (0: nothing sent)."""
    pending = [v for v in list_warnings(session, status="open", limit=5000)
               if v.severity in ("critical", "warning") and v.notified_at is None]
    recipients = list(session.scalars(select(User.email).where(User.role == "buyer", User.active.is_(True))))
    if not pending or not recipients:
        return 0
    lines = [f"{v.severity.upper():8} {v.sku} in {v.warehouse}: {v.reason}; short {formatting.quantity(v.qty_short)}"
             + (f"; open orders {', '.join(v.open_orders)}" if v.open_orders else "") for v in pending]
    subject = f"Stock warnings: {sum(v.severity == 'critical' for v in pending)} critical, " \
              f"{sum(v.severity == 'warning' for v in pending)} warning"
    mailer.send_mail(mail_config, recipients, subject, "\n".join(lines) + "\n")
    ids = [v.id for v in pending]
    for start in range(0, len(ids), CHUNK):
        session.execute(update(StockWarning).where(StockWarning.id.in_(ids[start:start + CHUNK]))
                        .values(notified_at=now))
    return len(pending)
