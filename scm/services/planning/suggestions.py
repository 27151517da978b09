"""Suggested transfers and purchase orders of a plan, and turning them into documents.

Transfer before buy: when another warehouse holds available stock above its own order-up-to level,
the excess is suggested as a transfer first (nearest warehouse by coordinates, warehouses without
coordinates after those with, by code), in whole units: the need rounded up when the donor can spare
it, else what it can spare rounded down. Only the remainder is bought, and only when the transfers
leave the risk that justified the order (the plan's rule: the projected stock, counting the
transfers, would still fall below the safety stock before an order placed at the next review could
arrive); otherwise the remainder waits for the next review and the arithmetic says so. Purchases are
split across suppliers by `allocation.allocate` (primary, backup failover, capacity, MOQ, multiples,
price breaks). Approving groups the selected buy lines into one draft purchase order per supplier ×
warehouse.
"""
from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from scm.models import Suggestion, Warehouse
from scm.services.kernel import bulk
from scm.services.planning import plan_inputs as replenishment_inputs
from scm.services.suppliers.allocation import Allocation, allocate

if TYPE_CHECKING:
    from scm.services.planning.pair_plan import PairPlan

QTY = Decimal("0.001")


def distance_km(a: Warehouse, b: Warehouse) -> float | None:
    """Great-circle distance (haversine), None when either warehouse has no coordinates."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def donor_order(to: Warehouse, donors: list[Warehouse]) -> list[Warehouse]:
    """Nearest first; warehouses without coordinates after, by code."""
    def key(w: Warehouse) -> tuple:
        km = distance_km(to, w)
        return (km is None, km or 0.0, w.code)
    return sorted(donors, key=key)


def _excess(pairs: list[PairPlan]) -> dict[tuple[int, int], float]:
    """Available stock above the order-up-to level, per item × warehouse, never below zero."""
    return {(p.item_id, p.warehouse_id): p.available - p.order_up_to for p in pairs
            if p.available - p.order_up_to >= 1 and p.severity in (None, "watch")}


def _whole(need: float, spare: float) -> Decimal:
    """Whole units to move: the need rounded up when the donor can spare that, else its spare rounded down."""
    up = Decimal(repr(need)).quantize(Decimal(1), rounding=ROUND_CEILING)
    if up <= Decimal(repr(spare)):
        return up
    return Decimal(repr(min(need, spare))).quantize(Decimal(1), rounding=ROUND_FLOOR)


def plan_transfers(pairs: list[PairPlan], warehouses: dict[int, Warehouse]) -> dict[tuple[int, int], list]:
    """(item, receiving warehouse) -> [(from warehouse id, whole quantity)]; most severe needs first.
    A further donor is asked only while the transfers so far leave the pair at risk (the plan's rule)."""
    excess = _excess(pairs)
    out: dict[tuple[int, int], list] = {}
    rank = {"critical": 0, "warning": 1, "watch": 2}
    by_item: dict[int, list[int]] = {}
    for item_id, warehouse_id in excess:
        by_item.setdefault(item_id, []).append(warehouse_id)
    needy = sorted((p for p in pairs if p.need > 0 and p.item_id in by_item),
                   key=lambda p: (rank.get(p.severity or "", 3), -p.need))
    for pair in needy:
        remaining, moved = pair.need, 0.0
        donors = [warehouses[w] for w in by_item[pair.item_id] if w != pair.warehouse_id]
        for donor in donor_order(warehouses[pair.warehouse_id], donors):
            qty = _whole(remaining, excess[(pair.item_id, donor.id)])
            if qty <= 0:
                continue
            out.setdefault((pair.item_id, pair.warehouse_id), []).append((donor.id, qty))
            excess[(pair.item_id, donor.id)] -= float(qty)
            remaining, moved = remaining - float(qty), moved + float(qty)
            if remaining <= 1e-9 or pair.short_of_safety - moved <= 1e-9:
                break
    return out


def _need_by(pair: PairPlan, as_of: date) -> date:
    """The stock-out day when one is projected before the chosen supplier's lead time (so a faster backup
    takes over), never before the earliest possible arrival; otherwise as_of + lead time."""
    by = as_of + timedelta(days=math.ceil(pair.lead_time))
    if pair.stockout_day >= 0:
        by = min(by, as_of + timedelta(days=pair.stockout_day))
    return max(by, as_of + timedelta(days=pair.earliest_days))


def _row(run_id: int, pair: PairPlan, kind: str, qty: Decimal, reason: str, **extra: Any) -> dict:
    return {"run_id": run_id, "item_id": pair.item_id, "warehouse_id": pair.warehouse_id, "kind": kind,
            "qty": qty, "suggested_qty": qty, "reason": reason, "details": pair.details(),
            "auto_order": pair.auto_order, "status": "open", "supplier_id": None, "from_warehouse_id": None,
            "unit_price": None, "currency": None, "expected_arrival": None, "po_id": None, **extra}


def suggestion_rows(run_id: int, pairs: list[PairPlan], inputs: replenishment_inputs.PlanInputs) -> list[dict]:
    """Transfer rows first, then the purchase lines of what is left (one row per allocated supplier);
    a remainder the transfers make unnecessary is not bought, and the arithmetic says why."""
    transfers = plan_transfers(pairs, inputs.warehouses)
    rows = []
    for pair in (p for p in pairs if p.need > 0):
        moves = transfers.get((pair.item_id, pair.warehouse_id), [])
        moved = sum((qty for _donor, qty in moves), Decimal(0))
        rest = (Decimal(repr(pair.need)) - moved).quantize(QTY, rounding=ROUND_CEILING)
        buy = rest > 0 and (not moves or pair.short_of_safety - float(moved) > 1e-9)
        if rest > 0 and not buy:
            pair.notes.append(f"remainder {rest.normalize():f} not bought: with the transfers the projected stock "
                              f"stays at or above the safety stock {pair.safety:.2f} until "
                              f"{pair.day(pair.cycle_days)}, when an order placed at the next review could arrive")
        for donor_id, qty in moves:
            donor = inputs.warehouses[donor_id]
            km = distance_km(inputs.warehouses[pair.warehouse_id], donor)
            where = f"{km:.0f} km away" if km is not None else "no coordinates"
            rows.append(_row(run_id, pair, "transfer", qty, f"transfer before buy: {donor.code} holds stock above "
                             f"its order-up-to level ({where})", from_warehouse_id=donor_id))
        if buy:
            rows += _buy_rows(run_id, pair, rest, inputs)
    return rows


def _buy_rows(run_id: int, pair: PairPlan, qty: Decimal, inputs: replenishment_inputs.PlanInputs) -> list[dict]:
    options = inputs.options.get(pair.item_id, [])
    allocation: Allocation = allocate(options, qty, _need_by(pair, inputs.as_of), inputs.as_of)
    if not allocation.lines:
        return [_row(run_id, pair, "buy", qty, "; ".join(allocation.notes) or "no supplier")]
    notes = "; ".join(allocation.notes)
    return [_row(run_id, pair, "buy", line.quantity, line.reason + (f" ({notes})" if notes else ""),
                 supplier_id=line.supplier_id, unit_price=line.unit_price, currency=line.currency,
                 expected_arrival=line.expected_arrival) for line in allocation.lines]


def store_suggestions(session: Session, run_id: int, pairs: list[PairPlan],
                      inputs: replenishment_inputs.PlanInputs, item_ids: list[int] | None) -> int:
    """Supersede the open suggestions of earlier runs (in scope) and insert this run's, in bulk."""
    stale = update(Suggestion).where(Suggestion.status == "open", Suggestion.run_id != run_id)
    if item_ids is not None:
        stale = stale.where(Suggestion.item_id.in_(item_ids))
    session.execute(stale.values(status="superseded"))
    rows = suggestion_rows(run_id, pairs, inputs)
    bulk.insert_rows(session, Suggestion, rows)
    return len(rows)
