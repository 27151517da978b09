"""The replenishment plan: projected stock, policy figures, stock-out warnings and suggested orders.

`plan(session, as_of=..., actor=...)` loads everything set-based (`replenishment_inputs`), computes
every item × warehouse with numpy (`forecasting.projection`) and the policy formulas
(`forecasting.policy`), then writes the run, its suggestions and the warnings in bulk. Per pair:

    L, σL     lead time of the chosen supplier (first usable: primary, then backup, then alternate):
              mean and standard deviation of its last receipts when there are at least 3, else stated
    d, σd     mean daily forecast demand and daily σ over the next L + R days (R = review period)
    SS        z·sqrt(L·σd² + d²·σL²)   ('backtest': z·sqrt(Σ σ_t² over L + d²·σL²), σ_t the forecast's
              per-step error)         ROP = d·L + SS       S (order-up-to) = d·(L+R) + SS(L+R)
    position  on hand − reserved + on order + in transit; on order counts every open PO line, the
              unsent ones too (draft, pending approval, approved: `inbound.OPEN_PO_STATUSES`)
    order     S − position (at least the bridge, below) for a pair with a warning, but only when
              ordering now is justified:

Rule (why order now): without a new order, the projected stock falls below the safety stock SS(L)
on some day before an order placed at the next review (day R) could arrive (day ⌈L + R⌉). If it
does not, waiting for the next review is safe and nothing is suggested; a remainder left after
transfers is bought only if the transfers do not remove that risk. The threshold is SS(L), not zero:
every pair below its reorder point is then at risk (its projection falls below SS(L) within L), and a
rounding remainder smaller than SS(L + R) − SS(L) is never bought for its own sake.

Severities: critical = projected stock-out before the earliest day an order placed today can arrive;
warning = position below ROP or available stock under the minimum days of cover; watch = a stock-out
inside the horizon (56 days). Any of them is ordered only when the rule above holds.
"""
from __future__ import annotations

import math
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from forecasting import policy as formulas
from forecasting import projection
from scm.models import PlanRun
from scm.models.purchasing import UNSENT_STATUSES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.planning import plan_inputs as replenishment_inputs
from scm.services.planning import plan_lock as replenishment_lock
from scm.services.planning import suggestions as replenishment_orders
from scm.services.planning import warnings as stock_warnings
from scm.services.planning.pair_plan import PairPlan
from scm.services.suppliers.allocation import ROLE_ORDER, SupplierOption

HORIZON_DAYS = 56
COVER_WINDOW_DAYS = 28


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
    pair.safety_cover = safety(pair.lead_time + pair.review_days)
    pair.reorder_point = formulas.reorder_point(pair.daily, pair.lead_time, pair.safety)
    pair.order_up_to = formulas.order_up_to(pair.daily, pair.lead_time, pair.review_days, pair.safety_cover)
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
    if pair.severity is None or not pair.justified:
        return  # nothing to order now: waiting for the next review is safe (the module's rule)
    pair.need = max(pair.order_up_to - pair.position, 0.0)
    if pair.bridge > pair.need:
        pair.need = pair.bridge
        pair.notes.append(f"receipts come too late: {pair.bridge:.0f} short between day {pair.earliest_days} "
                          f"and day {pair.cycle_days}")


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


def _counted_orders(inputs: replenishment_inputs.PlanInputs) -> tuple[dict, dict]:
    """(item, warehouse) -> the expected PO lines, and -> the transfers, that its position counts."""
    on_order: dict[tuple[int, int], list] = {}
    for r in inputs.receipts:
        on_order.setdefault((r.item_id, r.warehouse_id), []).append(r)
    transit: dict[tuple[int, int], list] = {}
    for t in inputs.transfers:
        transit.setdefault((t.item_id, t.to_warehouse_id), []).append(t)
    return on_order, transit


def _new_pair(key: tuple[int, int], inputs: replenishment_inputs.PlanInputs, lines: list, moving: list) -> PairPlan:
    on_hand, reserved = inputs.balances.get(key, (Decimal(0), Decimal(0)))
    labels = {r.po_number: r.po_number + (f" ({r.status.replace('_', ' ')})" if r.status in
                                          UNSENT_STATUSES else "") for r in lines}
    pair = PairPlan(key[0], key[1], inputs.items[key[0]][0], float(on_hand), float(reserved),
                    float(sum((r.qty_open for r in lines), Decimal(0))),
                    float(sum((t.qty for t in moving), Decimal(0))), [labels[n] for n in sorted(labels)],
                    as_of=inputs.as_of, unit_decimals=inputs.unit_decimals.get(key[0], 3))
    pair.on_order_lines = [{"number": r.po_number, "status": r.status, "qty": f"{r.qty_open.normalize():f}",
                            "due": r.expected_date.isoformat()} for r in lines]
    pair.in_transit_lines = [{"transfer_id": t.transfer_id, "from": inputs.warehouses[t.from_warehouse_id].code
                              if t.from_warehouse_id in inputs.warehouses else "", "qty": f"{t.qty.normalize():f}",
                              "due": t.expected_date.isoformat()} for t in moving]
    _lead_time(pair, inputs.options.get(key[0], []), inputs.lead_sigma)
    return pair


def _lowest_before(projected: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest projected stock over days 0..days−1 of each row, and the day it happens."""
    mask = np.arange(projected.shape[1])[None, :] < np.clip(days, 1, projected.shape[1])[:, None]
    masked = np.where(mask, projected, np.inf)
    return masked.min(axis=1), masked.argmin(axis=1)


def compute(inputs: replenishment_inputs.PlanInputs) -> list[PairPlan]:
    """Every item × warehouse with a forecast: projection, policy figures, severity and need."""
    keys = sorted(inputs.forecasts)
    demand, sigma, receipts = build_arrays(inputs, keys)
    on_order, transit = _counted_orders(inputs)
    pairs = [_new_pair(key, inputs, on_order.get(key, []), transit.get(key, [])) for key in keys]
    available = np.array([p.available for p in pairs])
    projected = projection.project(available, receipts, demand)
    stockout = projection.first_stockout(projected)
    earliest = np.array([p.earliest_days for p in pairs])
    short_before = projection.shortage_before(projected, earliest)
    short_horizon = projection.shortage_before(projected, np.full(len(pairs), HORIZON_DAYS))
    probability = projection.stockout_probability(available, receipts, demand, sigma, earliest)
    for i, pair in enumerate(pairs):
        _policy_figures(pair, demand[i], sigma[i], inputs.policies[(pair.item_id, pair.warehouse_id)])
    cycle_end = np.array([min(math.ceil(p.lead_time + p.review_days), HORIZON_DAYS) for p in pairs], dtype=int)
    bridge = projection.shortage_between(projected, earliest, cycle_end)
    lowest, lowest_day = _lowest_before(projected, cycle_end)
    for i, pair in enumerate(pairs):
        pair.projected, pair.receipts, pair.demand = projected[i], receipts[i], demand[i]
        pair.bridge, pair.cycle_days = float(bridge[i]), int(cycle_end[i])
        pair.lowest, pair.lowest_day = float(lowest[i]), int(lowest_day[i])
        pair.stockout_day, pair.probability = int(stockout[i]), float(probability[i])
        pair.qty_short = float(short_before[i] if 0 <= stockout[i] < earliest[i] else short_horizon[i])
        _classify(pair)
    return pairs


def pair_plan(session: Session, item_id: int, warehouse_id: int, *, as_of: date) -> PairPlan | None:
    """The plan's figures of one item in one warehouse, computed now by the plan's own code (the
    planning page and the projection API); None when the pair has no forecast (or is inactive)."""
    inputs = replenishment_inputs.load(session, as_of=as_of, item_ids=[item_id])
    if (item_id, warehouse_id) not in inputs.forecasts:
        return None
    return next(p for p in compute(inputs) if p.warehouse_id == warehouse_id)


def plan(session: Session, *, as_of: date, actor: Actor, now: datetime, trigger: str = "manual",
         item_ids: list[int] | None = None, suggest: bool = True) -> PlanRun:
    """Run the plan: store the run, replace open suggestions (when `suggest`), reconcile warnings."""
    started = time.monotonic()
    if suggest:  # after any approval that committed first, before any that waits (replenishment_lock)
        replenishment_lock.take(session, by=f"plan ({trigger})", now=now)
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
