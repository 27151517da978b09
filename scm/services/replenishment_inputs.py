"""Everything one replenishment plan needs, loaded set-based (a fixed handful of queries for any size).

Items and warehouses, balances, policies, the newest forecast of every item × warehouse, expected
receipts and transfers (only from `scm.services.inbound`), supplier options of every item (the same
`SupplierOption`s `sourcing.options_for` builds, for all items at once) and lead-time statistics
(mean and standard deviation of actual receipts, last 10 per item × supplier).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scm.models import (
    CatalogEntry, DeliveryFact, Forecast, ForecastRun, Item, ReplenishmentPolicy, StockBalance, Supplier, Warehouse,
)
from scm.services import certifications, inbound, scorecards, supplier_catalog
from scm.services.allocation import PriceTier, SupplierOption
from scm.services.replenishment_policy import EffectivePolicy, effective
from scm.services.sourcing import _warnings as supplier_warnings

LAST_RECEIPTS = 10
CHUNK = 5000


@dataclass
class PlanInputs:
    as_of: date
    items: dict[int, tuple[str, str, str]]  # id -> (sku, name, abc_class)
    warehouses: dict[int, Warehouse]
    forecasts: dict[tuple[int, int], tuple]  # (item, wh) -> (freq, period_starts, mean, sigma)
    balances: dict[tuple[int, int], tuple[Decimal, Decimal]] = field(default_factory=dict)
    policies: dict[tuple[int, int], EffectivePolicy] = field(default_factory=dict)
    receipts: list[inbound.ExpectedReceipt] = field(default_factory=list)
    transfers: list[inbound.ExpectedTransfer] = field(default_factory=list)
    options: dict[int, list[SupplierOption]] = field(default_factory=dict)
    lead_sigma: dict[tuple[int, int], float] = field(default_factory=dict)  # (item, supplier) -> σL days


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)] or [[]]


def latest_forecasts(session: Session, item_ids: list[int] | None) -> dict[tuple[int, int], tuple]:
    """(item, warehouse) -> (freq, period_starts, mean, sigma) of the newest successful forecast."""
    newest = (select(Forecast.item_id, Forecast.warehouse_id, func.max(Forecast.run_id).label("run_id"))
              .join(ForecastRun, ForecastRun.id == Forecast.run_id).where(ForecastRun.status == "ok")
              .group_by(Forecast.item_id, Forecast.warehouse_id))
    if item_ids is not None:
        newest = newest.where(Forecast.item_id.in_(item_ids))
    sub = newest.subquery()
    stmt = select(Forecast.item_id, Forecast.warehouse_id, Forecast.freq, Forecast.period_starts, Forecast.mean,
                  Forecast.sigma).join(sub, (sub.c.item_id == Forecast.item_id)
                                       & (sub.c.warehouse_id == Forecast.warehouse_id)
                                       & (sub.c.run_id == Forecast.run_id))
    return {(i, w): (freq, starts, mean, sigma) for i, w, freq, starts, mean, sigma in session.execute(stmt)}


def load(session: Session, *, as_of: date, item_ids: list[int] | None = None) -> PlanInputs:
    """Load the inputs of a plan for every active item (or only `item_ids`) in every active warehouse."""
    stmt = select(Item.id, Item.sku, Item.name, Item.abc_class).where(Item.active.is_(True))
    if item_ids is not None:
        stmt = stmt.where(Item.id.in_(item_ids))
    items = {row[0]: tuple(row[1:]) for row in session.execute(stmt)}
    warehouses = {w.id: w for w in session.scalars(select(Warehouse).where(Warehouse.active.is_(True)))}
    forecasts = {k: v for k, v in latest_forecasts(session, item_ids).items()
                 if k[0] in items and k[1] in warehouses}
    inputs = PlanInputs(as_of, items, warehouses, forecasts)
    balance_stmt = select(StockBalance.item_id, StockBalance.warehouse_id, StockBalance.on_hand, StockBalance.reserved)
    if item_ids is not None:
        balance_stmt = balance_stmt.where(StockBalance.item_id.in_(item_ids))
    inputs.balances = {(i, w): (on_hand, reserved) for i, w, on_hand, reserved in session.execute(balance_stmt)}
    rows = session.scalars(select(ReplenishmentPolicy) if item_ids is None else
                           select(ReplenishmentPolicy).where(ReplenishmentPolicy.item_id.in_(item_ids)))
    stored = {(p.item_id, p.warehouse_id): p for p in rows}
    inputs.policies = {(i, w): effective(items[i][2], stored.get((i, w)), i, w) for i, w in forecasts}
    inputs.receipts = inbound.expected_receipts(session, item_ids=item_ids)
    inputs.transfers = inbound.expected_transfers(session, item_ids=item_ids)
    inputs.options, inputs.lead_sigma = supplier_options(session, sorted({i for i, _w in forecasts}), as_of)
    return inputs


def supplier_options(session: Session, item_ids: list[int], as_of: date
                     ) -> tuple[dict[int, list[SupplierOption]], dict[tuple[int, int], float]]:
    """Allocation options of many items (as `sourcing.options_for`) and σ of their actual lead times."""
    rows = []
    for chunk in _chunks(item_ids):
        rows += session.execute(select(CatalogEntry, Supplier).join(Supplier, Supplier.id == CatalogEntry.supplier_id)
                                .where(CatalogEntry.item_id.in_(chunk), CatalogEntry.active.is_(True))).all()
    supplier_ids = sorted({s.id for _e, s in rows})
    breaks = supplier_catalog.breaks_for(session, [e.id for e, _s in rows])
    required = certifications.required_types(session, item_ids)
    expiry = certifications.latest_expiry(session, supplier_ids, as_of)
    standings = scorecards.current_standings(session, supplier_ids)
    lead = lead_time_stats(session, item_ids)
    options: dict[int, list[SupplierOption]] = {}
    skus = dict(session.execute(select(Item.id, Item.sku).where(Item.id.in_({e.item_id for e, _s in rows}))).all()) \
        if rows else {}
    for entry, supplier in rows:
        blockers = [certifications.certificate_problem(supplier.code, kind, expiry.get((supplier.id, kind)), as_of,
                                                       skus.get(entry.item_id, "")) for kind in
                    sorted(required.get(entry.item_id, []))]
        mean, count, _sigma = lead.get((entry.item_id, supplier.id), (None, 0, 0.0))
        options.setdefault(entry.item_id, []).append(SupplierOption(
            supplier_id=supplier.id, supplier_code=supplier.code, role=entry.role,
            lead_time_days=entry.lead_time_days, capacity_per_week=entry.capacity_per_week, moq=entry.moq,
            order_multiple=entry.order_multiple, split_share=entry.split_share, status=supplier.status,
            status_reason=supplier.status_reason, blockers=tuple(b for b in blockers if b),
            warnings=tuple(supplier_warnings(supplier, standings.get(supplier.id))), actual_lead_time_mean=mean,
            deliveries=count, price_breaks=tuple(PriceTier(b.min_qty, b.unit_price, b.currency, b.valid_from,
                                                           b.valid_to) for b in breaks.get(entry.id, []))))
    return options, {key: value[2] for key, value in lead.items()}


def lead_time_stats(session: Session, item_ids: list[int]) -> dict[tuple[int, int], tuple[Decimal, int, float]]:
    """(item, supplier) -> (mean actual lead time, receipts counted, standard deviation in days),
    over the last 10 receipts; the same receipts `scorecard_facts.lead_time_stats` counts."""
    days: dict[tuple[int, int], list[int]] = {}
    for chunk in _chunks(item_ids):
        stmt = (select(DeliveryFact.item_id, DeliveryFact.supplier_id, DeliveryFact.ordered_on,
                       DeliveryFact.received_on)
                .where(DeliveryFact.item_id.in_(chunk), DeliveryFact.qty_received > 0)
                .order_by(DeliveryFact.item_id, DeliveryFact.supplier_id, DeliveryFact.received_on.desc(),
                          DeliveryFact.id.desc()))
        for item_id, supplier_id, ordered_on, received_on in session.execute(stmt):
            values = days.setdefault((item_id, supplier_id), [])
            if len(values) < LAST_RECEIPTS:
                values.append((received_on - ordered_on).days)
    return {key: (Decimal(sum(v)) / len(v), len(v), statistics.stdev(v) if len(v) > 1 else 0.0)
            for key, v in days.items()}
