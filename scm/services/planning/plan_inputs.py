"""Everything one replenishment plan needs, loaded set-based (a fixed handful of queries for any size).

Items and warehouses, balances, policies, the newest forecast of every item × warehouse, expected
receipts and transfers (only from `scm.services.logistics.inbound`), supplier options of every item (the same
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
    CatalogEntry,
    DeliveryFact,
    Forecast,
    ForecastRun,
    Item,
    PriceBreak,
    ReplenishmentPolicy,
    StockBalance,
    Supplier,
    UnitOfMeasure,
    Warehouse,
)
from scm.models.items import UNKNOWN_UNIT_DECIMALS
from scm.services.logistics import inbound
from scm.services.planning.policies import EffectivePolicy, effective
from scm.services.suppliers import certifications, scorecards
from scm.services.suppliers.allocation import PriceTier, SupplierOption
from scm.services.suppliers.sourcing import supplier_warnings

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
    unit_decimals: dict[int, int] = field(default_factory=dict)  # item -> decimals its unit allows


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
    stmt = (select(Item.id, Item.sku, Item.name, Item.abc_class, UnitOfMeasure.decimals)
            .outerjoin(UnitOfMeasure, UnitOfMeasure.code == Item.uom).where(Item.active.is_(True)))
    if item_ids is not None:
        stmt = stmt.where(Item.id.in_(item_ids))
    rows = list(session.execute(stmt))
    items = {row[0]: tuple(row[1:4]) for row in rows}
    decimals = {row[0]: UNKNOWN_UNIT_DECIMALS if row[4] is None else row[4] for row in rows}
    warehouses = {w.id: w for w in session.scalars(select(Warehouse).where(Warehouse.active.is_(True)))}
    forecasts = {k: v for k, v in latest_forecasts(session, item_ids).items()
                 if k[0] in items and k[1] in warehouses}
    inputs = PlanInputs(as_of, items, warehouses, forecasts, unit_decimals=decimals)
    balance_stmt = select(StockBalance.item_id, StockBalance.warehouse_id, StockBalance.on_hand, StockBalance.reserved)
    if item_ids is not None:
        balance_stmt = balance_stmt.where(StockBalance.item_id.in_(item_ids))
    inputs.balances = {(i, w): (on_hand, reserved) for i, w, on_hand, reserved in session.execute(balance_stmt)}
    rows = session.scalars(select(ReplenishmentPolicy) if item_ids is None else
                           select(ReplenishmentPolicy).where(ReplenishmentPolicy.item_id.in_(item_ids)))
    stored = {(p.item_id, p.warehouse_id): p for p in rows}
    inputs.policies = {(i, w): effective(items[i][2], stored.get((i, w)), i, w) for i, w in forecasts}
    inputs.receipts = inbound.expected_receipts(session, item_ids=item_ids, as_of=as_of)
    inputs.transfers = inbound.expected_transfers(session, item_ids=item_ids)
    inputs.options, inputs.lead_sigma = supplier_options(session, sorted({i for i, _w in forecasts}), as_of)
    return inputs


def supplier_options(session: Session, item_ids: list[int], as_of: date
                     ) -> tuple[dict[int, list[SupplierOption]], dict[tuple[int, int], float]]:
    """Allocation options of many items (as `sourcing.options_for`) and σ of their actual lead times.
    Plain column rows, not ORM objects: for 10,000 items that is most of the loading time."""
    rows = []
    for chunk in _chunks(item_ids):
        rows += session.execute(
            select(CatalogEntry.id, CatalogEntry.item_id, CatalogEntry.role, CatalogEntry.lead_time_days,
                   CatalogEntry.capacity_per_week, CatalogEntry.moq, CatalogEntry.order_multiple,
                   CatalogEntry.split_share, Supplier.id.label("supplier_id"), Supplier.code, Supplier.status,
                   Supplier.status_reason).join(Supplier, Supplier.id == CatalogEntry.supplier_id)
            .where(CatalogEntry.item_id.in_(chunk), CatalogEntry.active.is_(True))).all()
    supplier_ids = sorted({r.supplier_id for r in rows})
    breaks = _breaks(session, [r.id for r in rows])
    required = certifications.required_types(session, item_ids)
    expiry = certifications.latest_expiry(session, supplier_ids, as_of) if required else {}
    standings = scorecards.current_standings(session, supplier_ids)
    lead = lead_time_stats(session, item_ids)
    skus = dict(session.execute(select(Item.id, Item.sku).where(Item.id.in_(list(required)))).all()) if required else {}
    options: dict[int, list[SupplierOption]] = {}
    for r in rows:
        blockers = [certifications.certificate_problem(r.code, kind, expiry.get((r.supplier_id, kind)), as_of,
                                                       skus.get(r.item_id, "")) for kind in
                    sorted(required.get(r.item_id, []))]
        mean, count, _sigma = lead.get((r.item_id, r.supplier_id), (None, 0, 0.0))
        options.setdefault(r.item_id, []).append(SupplierOption(
            supplier_id=r.supplier_id, supplier_code=r.code, role=r.role, lead_time_days=r.lead_time_days,
            capacity_per_week=r.capacity_per_week, moq=r.moq, order_multiple=r.order_multiple,
            split_share=r.split_share, status=r.status, status_reason=r.status_reason,
            blockers=tuple(b for b in blockers if b),
            warnings=tuple(supplier_warnings(r, standings.get(r.supplier_id))), actual_lead_time_mean=mean,
            deliveries=count, price_breaks=breaks.get(r.id, ())))
    return options, {key: value[2] for key, value in lead.items()}


def _breaks(session: Session, entry_ids: list[int]) -> dict[int, tuple[PriceTier, ...]]:
    """Price tiers of many catalog entries (column rows, cheapest quantity first)."""
    out: dict[int, list[PriceTier]] = {}
    for chunk in _chunks(sorted(entry_ids)):
        stmt = (select(PriceBreak.entry_id, PriceBreak.min_qty, PriceBreak.unit_price, PriceBreak.currency,
                       PriceBreak.valid_from, PriceBreak.valid_to).where(PriceBreak.entry_id.in_(chunk))
                .order_by(PriceBreak.entry_id, PriceBreak.currency, PriceBreak.min_qty, PriceBreak.id))
        for entry_id, *tier in session.execute(stmt):
            out.setdefault(entry_id, []).append(PriceTier(*tier))
    return {key: tuple(value) for key, value in out.items()}


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
