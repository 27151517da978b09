"""The replenishment plan: projected stock, policy figures, stock-out warnings and suggested orders.

`plan(session, as_of=..., actor=...)` loads everything set-based (`replenishment_inputs`), computes
every item × warehouse with numpy (`forecasting.projection`) and the policy formulas
(`forecasting.policy`), then writes the run, its suggestions and the warnings in bulk. Per pair:

    L, σL     lead time of the chosen supplier (first usable: primary, then backup, then alternate):
              mean and standard deviation of its last receipts when there are at least 3, else stated
    d, σd     mean daily forecast demand and daily σ over the next L + R days (R = review period)
    SS        z·sqrt(L·σd² + d²·σL²)   ('backtest': z·sqrt(Σ σ_t² over L + d²·σL²), σ_t the forecast's
              per-step error)         ROP = d·L + SS       S (order-up-to) = d·(L+R) + SS(L+R)
    position  on hand − reserved + on order (open PO lines) + in transit
    order     S − position when position < ROP, the minimum cover is broken or a stock-out is critical

Severities: critical = projected stock-out before the earliest day an order placed today can arrive;
warning = position below ROP or available stock under the minimum days of cover; watch = a stock-out
inside the horizon (56 days).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from forecasting import policy as formulas
from forecasting import projection
from scm.models import PlanRun
from scm.services import audit, replenishment_inputs, replenishment_orders, stock_warnings
from scm.services.actors import Actor
from scm.services.allocation import ROLE_ORDER, SupplierOption

HORIZON_DAYS = 56
COVER_WINDOW_DAYS = 28
DEFAULT_LEAD_DAYS = 14


@dataclass
class PairPlan:
    """Every figure of one item in one warehouse (floats in units of the item and days)."""

    item_id: int
    warehouse_id: int
    sku: str
    on_hand: float
    reserved: float
    on_order: float
    in_transit: float
    open_orders: list[str]
    service_level: float = 0.0
    review_days: int = 7
    min_cover_days: int = 3
    lead_time: float = DEFAULT_LEAD_DAYS
    lead_sigma: float = 0.0
    lead_basis: str = "default (no usable supplier)"
    supplier_code: str = ""
    earliest_days: int = DEFAULT_LEAD_DAYS
    daily: float = 0.0
    daily_sigma: float = 0.0
    safety: float = 0.0
    reorder_point: float = 0.0
    order_up_to: float = 0.0
    stockout_day: int = -1
    cover_days: float | None = None
    probability: float = 0.0
    qty_short: float = 0.0
    severity: str | None = None
    need: float = 0.0
    bridge: float = 0.0  # shortfall from day E to the end of L + R: what late receipts leave uncovered
    auto_order: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def available(self) -> float:
        return self.on_hand - self.reserved

    @property
    def position(self) -> float:
        return self.available + self.on_order + self.in_transit

    def details(self) -> dict:
        """The arithmetic a buyer reads beside the suggestion (rounded for display, units and days)."""
        r = lambda v: round(float(v), 2)  # noqa: E731
        return {"forecast_lead_time": r(self.daily * self.lead_time), "forecast_review": r(self.daily * self.review_days),
                "daily_demand": round(self.daily, 3), "sigma_daily": round(self.daily_sigma, 3),
                "lead_time_days": r(self.lead_time), "lead_time_sigma": r(self.lead_sigma),
                "lead_time_basis": self.lead_basis, "review_days": self.review_days,
                "service_level": r(self.service_level), "safety_stock": r(self.safety),
                "reorder_point": r(self.reorder_point), "order_up_to": r(self.order_up_to),
                "on_hand": r(self.on_hand), "reserved": r(self.reserved), "on_order": r(self.on_order),
                "in_transit": r(self.in_transit), "position": r(self.position), "need": r(self.need),
                "bridge": r(self.bridge), "severity": self.severity, "open_orders": self.open_orders,
                "notes": list(self.notes)}


def _ranked_usable(options: list[SupplierOption]) -> list[SupplierOption]:
    return sorted((o for o in options if not o.why_not()),
                  key=lambda o: (ROLE_ORDER.get(o.role, 9), o.real_lead_time, o.supplier_code))


def _lead_time(pair: PairPlan, options: list[SupplierOption], lead_sigma: dict) -> None:
    """Lead time (mean, σ) of the chosen supplier, and the earliest day any usable supplier can deliver."""
    usable = _ranked_usable(options)
    if not usable:
        pair.notes.append("no usable supplier: lead time defaults to 14 days")
        return
    chosen = usable[0]
    pair.supplier_code = chosen.supplier_code
    pair.lead_time = float(chosen.real_lead_time)
    pair.lead_basis = f"{chosen.supplier_code}: {chosen.lead_time_basis}"
    if chosen.lead_time_basis != "stated":
        pair.lead_sigma = float(lead_sigma.get((pair.item_id, chosen.supplier_id), 0.0))
    pair.earliest_days = min(math.ceil(o.real_lead_time) for o in usable)


def _policy_figures(pair: PairPlan, demand: np.ndarray, sigma: np.ndarray, policy) -> None:  # type: ignore[no-untyped-def]
    """d, σd, SS, ROP and S of one pair (see the module docstring)."""
    pair.service_level, pair.review_days = float(policy.service_level), policy.review_period_days
    pair.min_cover_days, pair.auto_order = policy.min_cover_days, policy.auto_order
    window = max(1, min(len(demand), math.ceil(pair.lead_time + pair.review_days)))
    pair.daily = float(demand[:window].mean())
    pair.daily_sigma = float(math.sqrt((sigma[:window] ** 2).mean()))
    z = formulas.z_for_service_level(pair.service_level / 100)

    def safety(days: float) -> float:
        if policy.safety_method == "backtest":
            return formulas.safety_stock_from_error(z, projection.lead_time_sigma_demand(sigma, days), pair.daily,
                                                    pair.lead_sigma)
        return formulas.safety_stock(z, days, pair.daily_sigma, pair.daily, pair.lead_sigma)

    pair.safety = safety(pair.lead_time)
    pair.reorder_point = formulas.reorder_point(pair.daily, pair.lead_time, pair.safety)
    pair.order_up_to = formulas.order_up_to(pair.daily, pair.lead_time, pair.review_days,
                                            safety(pair.lead_time + pair.review_days))
    cover_rate = float(demand[:COVER_WINDOW_DAYS].mean())
    pair.cover_days = pair.available / cover_rate if cover_rate > 0 else None


def _classify(pair: PairPlan) -> None:
    """Severity, quantity short and the quantity needed to get back to the order-up-to level."""
    if 0 <= pair.stockout_day < pair.earliest_days:
        pair.severity = "critical"
    elif pair.position < pair.reorder_point - 1e-9 or (
            pair.cover_days is not None and pair.cover_days < pair.min_cover_days):
        pair.severity = "warning"
        pair.qty_short = max(pair.reorder_point - pair.position, pair.min_cover_days * pair.daily - pair.available,
                             0.0)
    elif pair.stockout_day >= 0:
        pair.severity = "watch"
    if pair.severity is not None:
        pair.need = max(pair.order_up_to - pair.position, 0.0)
    if pair.severity == "critical" and pair.bridge > pair.need:
        pair.need = pair.bridge
        pair.notes.append(f"receipts come too late: {pair.bridge:.0f} short between day {pair.earliest_days} "
                          f"and day {math.ceil(pair.lead_time + pair.review_days)}")


def build_arrays(inputs: replenishment_inputs.PlanInputs, keys: list[tuple[int, int]]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Daily demand, daily σ and receipts (PO lines and transfers on their expected day) per pair."""
    n, index = len(keys), {key: i for i, key in enumerate(keys)}
    demand, sigma, receipts = np.zeros((n, HORIZON_DAYS)), np.zeros((n, HORIZON_DAYS)), np.zeros((n, HORIZON_DAYS))
    for i, key in enumerate(keys):
        freq, starts, mean, sig = inputs.forecasts[key]
        demand[i], sigma[i] = projection.daily_profile(freq, starts, mean, sig, inputs.as_of, HORIZON_DAYS)
    arriving = [((r.item_id, r.warehouse_id), r.qty_open, r.expected_date) for r in inputs.receipts]
    arriving += [((t.item_id, t.to_warehouse_id), t.qty, t.expected_date) for t in inputs.transfers]
    for key, qty, when in arriving:
        row = index.get(key)
        day = (when - inputs.as_of).days
        if row is not None and day < HORIZON_DAYS:
            receipts[row, max(day, 0)] += float(qty)  # overdue lines are still expected: as soon as possible
    return demand, sigma, receipts


def compute(inputs: replenishment_inputs.PlanInputs) -> list[PairPlan]:
    """Every item × warehouse with a forecast: projection, policy figures, severity and need."""
    keys = sorted(inputs.forecasts)
    demand, sigma, receipts = build_arrays(inputs, keys)
    on_order: dict[tuple[int, int], list] = {}
    for r in inputs.receipts:
        on_order.setdefault((r.item_id, r.warehouse_id), []).append(r)
    transit: dict[tuple[int, int], float] = {}
    for t in inputs.transfers:
        transit[(t.item_id, t.to_warehouse_id)] = transit.get((t.item_id, t.to_warehouse_id), 0.0) + float(t.qty)
    pairs = []
    for key in keys:
        on_hand, reserved = inputs.balances.get(key, (Decimal(0), Decimal(0)))
        lines = on_order.get(key, [])
        pair = PairPlan(key[0], key[1], inputs.items[key[0]][0], float(on_hand), float(reserved),
                        sum(float(r.qty_open) for r in lines), transit.get(key, 0.0),
                        sorted({r.po_number for r in lines}))
        _lead_time(pair, inputs.options.get(key[0], []), inputs.lead_sigma)
        pairs.append(pair)
    available = np.array([p.available for p in pairs])
    projected = projection.project(available, receipts, demand)
    stockout = projection.first_stockout(projected)
    earliest = np.array([p.earliest_days for p in pairs])
    short_before = projection.shortage_before(projected, earliest)
    short_horizon = projection.shortage_before(projected, np.full(len(pairs), HORIZON_DAYS))
    probability = projection.stockout_probability(available, receipts, demand, sigma, earliest)
    for i, pair in enumerate(pairs):
        _policy_figures(pair, demand[i], sigma[i], inputs.policies[(pair.item_id, pair.warehouse_id)])
    cycle_end = np.array([math.ceil(p.lead_time + p.review_days) for p in pairs])
    bridge = projection.shortage_between(projected, earliest, cycle_end)
    for i, pair in enumerate(pairs):
        pair.bridge = float(bridge[i])
        pair.stockout_day, pair.probability = int(stockout[i]), float(probability[i])
        pair.qty_short = float(short_before[i] if 0 <= stockout[i] < earliest[i] else short_horizon[i])
        _classify(pair)
    return pairs


def plan(session: Session, *, as_of: date, actor: Actor, now: datetime, trigger: str = "manual",
         item_ids: list[int] | None = None, suggest: bool = True) -> PlanRun:
    """Run the plan: store the run, replace open suggestions (when `suggest`), reconcile warnings."""
    started = time.monotonic()
    run = PlanRun(as_of=as_of, trigger=trigger, status="running", started_at=now)
    session.add(run)
    session.flush()
    inputs = replenishment_inputs.load(session, as_of=as_of, item_ids=item_ids)
    pairs = compute(inputs)
    if suggest:
        run.suggestions = replenishment_orders.store_suggestions(session, run.id, pairs, inputs, item_ids)
    stock_warnings.reconcile(session, pairs, as_of=as_of, item_ids=item_ids, horizon_end=as_of + timedelta(
        days=HORIZON_DAYS))
    run.pairs, run.status, run.finished_at = len(pairs), "ok", now
    run.seconds = round(time.monotonic() - started, 3)
    audit.record(session, actor, "replenishment.plan", "replenishment_run", run.id,
                 after={"as_of": as_of.isoformat(), "pairs": run.pairs, "suggestions": run.suggestions})
    session.flush()
    return run
