"""Dashboard figures about stock, computed set-based in the database (a handful of aggregate
queries whatever the number of items): stock value, turnover and days of inventory, stock-out
days this month, slow-moving and dead stock, inbound fill rate.

Values are at each item's current unit cost (`items.unit_cost`): issues carry no cost in the ledger
(`stock_moves.unit_cost` is only set on receipts), so one cost basis for every figure keeps them
comparable. Quantities and money are summed on the stored scaled integers (quantity ×10^3, money
×10^4) so no rounding happens in SQL; a product of the two is ×10^7.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric, and_, case, cast, func, literal, select, type_coerce
from sqlalchemy.orm import Session, aliased

from scm.models import DemandRecord, Item, StockBalance, StockMove, Warehouse
from scm.models.scorecards import DeliveryFact
from scm.models.stock import DEMAND_REASONS

VALUE_SCALE = Decimal(10**7)   # quantity ×10^3 times money ×10^4
QTY_SCALE = Decimal(10**3)
CENT = Decimal("0.01")
TURNOVER_DAYS = 365
DEAD_DAYS = 90                 # no demand for this long: dead stock
SLOW_COVER_DAYS = 180          # on hand lasts longer than this at the last 90 days' rate: slow-moving
FILL_RATE_DAYS = 90


def _raw(column: Any) -> Any:
    """The stored scaled integer of a Quantity/Money column, as an exact numeric for SQL arithmetic."""
    return cast(type_coerce(column, BigInteger), Numeric)


def _int(column: Any) -> Any:
    """The stored scaled integer as BIGINT: sums of it are exact and much cheaper than of NUMERIC."""
    return type_coerce(column, BigInteger)


def _value(raw: Any) -> Decimal:
    return (Decimal(raw or 0) / VALUE_SCALE).quantize(CENT)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


# ---------------------------------------------------------------- stock value, turnover

@dataclass(frozen=True)
class StockValue:
    total: Decimal
    by_warehouse: list[tuple[str, Decimal]]   # (warehouse code, value), largest first


def stock_value(session: Session) -> StockValue:
    """Σ on hand × unit cost, per warehouse and in total."""
    value = func.sum(_raw(StockBalance.on_hand) * _raw(Item.unit_cost))
    rows = session.execute(select(Warehouse.code, value.label("v"))
                           .join(StockBalance, StockBalance.warehouse_id == Warehouse.id)
                           .join(Item, Item.id == StockBalance.item_id)
                           .group_by(Warehouse.code))
    by_warehouse = sorted(((code, _value(v)) for code, v in rows), key=lambda r: (-r[1], r[0]))
    return StockValue(sum((v for _c, v in by_warehouse), Decimal("0.00")), by_warehouse)


@dataclass(frozen=True)
class Turnover:
    cogs: Decimal                  # value of demand issued over the window
    opening_value: Decimal         # stock value at the window's start (today's unit costs)
    closing_value: Decimal         # stock value now
    turnover: Decimal | None       # cogs / average inventory value
    days_of_inventory: Decimal | None  # average inventory value / cogs × window days
    days: int = TURNOVER_DAYS

    @property
    def average_value(self) -> Decimal:
        return ((self.opening_value + self.closing_value) / 2).quantize(CENT)


def _reversed_demand(start: datetime, now: datetime) -> Any:
    """Rows (item_id, qty) of sale/consumption issues posted in the window that were later reversed.
    Driven from the reversals (few, found through the unique reverses_move_id index) to their
    originals by primary key, never by probing every move of the window."""
    original = aliased(StockMove)
    reversed_ids = select(StockMove.reverses_move_id).where(StockMove.reverses_move_id.is_not(None))
    return (select(original.item_id.label("item_id"), (-_int(original.qty_delta)).label("qty"))
            .where(original.id.in_(reversed_ids), original.kind == "issue", original.reason.in_(DEMAND_REASONS),
                   original.posted_at >= start, original.posted_at <= now))


def turnover(session: Session, *, now: datetime, closing_value: Decimal, days: int = TURNOVER_DAYS) -> Turnover:
    """Inventory turnover over the last `days` days.

    COGS = Σ sale/consumption issues not reversed × unit cost (the same demand the forecaster sees).
    Opening value = closing value − Σ every move's qty × unit cost since the window's start, i.e. the
    stock the ledger says was there then. Average inventory = (opening + closing) / 2.
    One pass over the window's moves grouped by item (no per-row joins), then × unit cost per item.
    """
    start = now - timedelta(days=days)
    is_demand = and_(StockMove.kind == "issue", StockMove.reason.in_(DEMAND_REASONS))
    per_item = (select(StockMove.item_id, func.sum(_int(StockMove.qty_delta)).label("net"),
                       func.sum(case((is_demand, -_int(StockMove.qty_delta)), else_=literal(0))).label("issued"))
                .where(StockMove.posted_at >= start, StockMove.posted_at <= now)
                .group_by(StockMove.item_id).subquery())
    undone = _reversed_demand(start, now).subquery()
    cost = _raw(Item.unit_cost)
    net, issued = session.execute(select(func.sum(per_item.c.net * cost), func.sum(per_item.c.issued * cost))
                                  .select_from(per_item).join(Item, Item.id == per_item.c.item_id)).one()
    reversed_value = session.scalar(select(func.sum(undone.c.qty * cost)).select_from(undone)
                                    .join(Item, Item.id == undone.c.item_id))
    cogs, opening = _value((issued or 0) - (reversed_value or 0)), closing_value - _value(net)
    average = (opening + closing_value) / 2
    rate = (cogs / average).quantize(CENT) if average > 0 else None
    cover = (average / cogs * days).quantize(Decimal("0.1")) if cogs > 0 else None
    return Turnover(cogs, opening, closing_value, rate, cover, days)


# ---------------------------------------------------------------- stock-outs this month

@dataclass(frozen=True)
class StockOuts:
    days: int                      # item × warehouse days at zero, month to date
    keys: int                      # item × warehouse pairs with at least one such day
    worst: list[dict[str, Any]]    # sku, name, warehouse, days (most days first)
    month_start: date
    as_of: date


def _zero_days_from_moves(moves: list[Any], month_start: date, today: date) -> dict[tuple[int, int], set[date]]:
    """Days whose closing balance was 0, walking each key's moves of the month in order.

    Before its first move of the month a key held (balance_after − qty_delta) of that move, unless
    that move is the key's first ever (then the days before it are not counted); today counts with
    the balance it has now.
    """
    out: dict[tuple[int, int], set[date]] = defaultdict(set)
    by_key: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for move in moves:
        by_key[(move.item_id, move.warehouse_id)].append(move)
    for key, rows in by_key.items():
        balance, day = rows[0].balance_after - rows[0].qty_delta, month_start
        if rows[0].first_ever:   # stocked here for the first time this month: nothing was missing before
            balance, day = rows[0].balance_after, rows[0].posted_at.date()
        closing: dict[date, Decimal] = {}
        for move in rows:
            closing[move.posted_at.date()] = move.balance_after
        for change_day in sorted(closing):
            if balance == 0:   # the days before this change closed at zero
                out[key].update(day + timedelta(days=n) for n in range((change_day - day).days))
            balance, day = closing[change_day], change_day
        if balance == 0:       # from the last change through today
            out[key].update(day + timedelta(days=n) for n in range((today - day).days + 1))
    return out


def stock_outs(session: Session, *, now: datetime, worst: int = 8) -> StockOuts:
    """Stock-out days this month: days on which an active item's balance in a warehouse closed at zero
    (from the ledger), plus days that imported demand flagged as out of stock."""
    today = now.date()
    month_start = today.replace(day=1)
    elapsed = (today - month_start).days + 1
    earlier = aliased(StockMove)
    first_ever = ~select(earlier.id).where(earlier.item_id == StockMove.item_id, earlier.warehouse_id ==
                                           StockMove.warehouse_id, earlier.id < StockMove.id).exists()
    moves = list(session.execute(
        select(StockMove.item_id, StockMove.warehouse_id, StockMove.posted_at, StockMove.qty_delta,
               StockMove.balance_after, first_ever.label("first_ever")).join(Item, Item.id == StockMove.item_id)
        .where(StockMove.posted_at >= _midnight(month_start), StockMove.posted_at <= now, Item.active.is_(True))
        .order_by(StockMove.item_id, StockMove.warehouse_id, StockMove.id)))
    days = _zero_days_from_moves(moves, month_start, today)
    moved = {(m.item_id, m.warehouse_id) for m in moves}
    flagged = session.execute(
        select(DemandRecord.item_id, DemandRecord.warehouse_id, DemandRecord.day, StockBalance.on_hand)
        .join(Item, Item.id == DemandRecord.item_id)
        .outerjoin(StockBalance, and_(StockBalance.item_id == DemandRecord.item_id,
                                      StockBalance.warehouse_id == DemandRecord.warehouse_id))
        .where(DemandRecord.stockout.is_(True), DemandRecord.day >= month_start, DemandRecord.day <= today,
               Item.active.is_(True)))
    for item_id, warehouse_id, day, on_hand in flagged:
        key = (item_id, warehouse_id)
        if key in moved or on_hand != 0:   # keys idle at zero all month are counted in full below
            days[key].add(day)
    idle_zero = (select(StockBalance.item_id, StockBalance.warehouse_id).join(Item, Item.id == StockBalance.item_id)
                 .where(StockBalance.on_hand == 0, Item.active.is_(True), ~select(StockMove.id).where(
                     StockMove.item_id == StockBalance.item_id, StockMove.warehouse_id == StockBalance.warehouse_id,
                     StockMove.posted_at >= _midnight(month_start)).exists()))
    idle_count = session.scalar(select(func.count()).select_from(idle_zero.subquery())) or 0
    counted = {key: len(d) for key, d in days.items() if d}
    counted.update({(r.item_id, r.warehouse_id): elapsed for r in session.execute(idle_zero.limit(worst))})
    top = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:worst]
    return StockOuts(days=sum(len(d) for d in days.values() if d) + idle_count * elapsed,
                     keys=len([d for d in days.values() if d]) + idle_count,
                     worst=_describe_keys(session, top), month_start=month_start, as_of=today)


def _describe_keys(session: Session, counted: list[tuple[tuple[int, int], int]]) -> list[dict[str, Any]]:
    if not counted:
        return []
    items = dict(session.execute(select(Item.id, Item.sku).where(Item.id.in_({k[0] for k, _n in counted}))).all())
    codes = dict(session.execute(select(Warehouse.id, Warehouse.code).where(
        Warehouse.id.in_({k[1] for k, _n in counted}))).all())
    return [{"item_id": i, "sku": items.get(i, "?"), "warehouse": codes.get(w, "?"), "days": n}
            for (i, w), n in counted]


# ---------------------------------------------------------------- slow-moving and dead stock

@dataclass(frozen=True)
class SlowDead:
    dead_items: int
    dead_value: Decimal
    slow_items: int
    slow_value: Decimal
    worst_dead: list[dict[str, Any]]   # sku, name, on_hand, value (largest value first)


def _demand_by_item(now: datetime, days: int) -> Any:
    """Subquery item_id -> raw demand quantity of the last `days` days: ledger issues of sale/consumption
    minus those reversed, plus imported demand records."""
    start = now - timedelta(days=days)
    ledger = (select(StockMove.item_id.label("item_id"), (-_int(StockMove.qty_delta)).label("qty"))
              .where(StockMove.kind == "issue", StockMove.reason.in_(DEMAND_REASONS),
                     StockMove.posted_at >= start, StockMove.posted_at <= now))
    undone = _reversed_demand(start, now).subquery()
    reversed_ = select(undone.c.item_id, -undone.c.qty)
    imported = (select(DemandRecord.item_id.label("item_id"), _int(DemandRecord.qty).label("qty"))
                .where(DemandRecord.day >= start.date(), DemandRecord.day <= now.date(), DemandRecord.qty > 0))
    both = ledger.union_all(reversed_, imported).subquery()
    return select(both.c.item_id, func.sum(both.c.qty).label("qty")).group_by(both.c.item_id).subquery()


def slow_and_dead(session: Session, *, now: datetime, worst: int = 8) -> SlowDead:
    """Per active item with stock: dead when nothing was demanded in the last 90 days; slow-moving when
    there was demand but on hand exceeds 180 days of it at that rate (on hand > 2 × 90-day demand)."""
    demand = _demand_by_item(now, DEAD_DAYS)
    stock = (select(StockBalance.item_id, func.sum(_int(StockBalance.on_hand)).label("qty"))
             .group_by(StockBalance.item_id).having(func.sum(_int(StockBalance.on_hand)) > 0).subquery())
    demanded = func.coalesce(demand.c.qty, 0)
    is_dead = demanded <= 0
    is_slow = and_(demanded > 0, stock.c.qty * DEAD_DAYS > demanded * SLOW_COVER_DAYS)
    value = cast(stock.c.qty, Numeric) * _raw(Item.unit_cost)
    base = (select().select_from(stock).join(Item, Item.id == stock.c.item_id)
            .outerjoin(demand, demand.c.item_id == stock.c.item_id).where(Item.active.is_(True)))
    row = session.execute(base.add_columns(
        func.sum(case((is_dead, 1), else_=0)).label("dead_n"), func.sum(case((is_dead, value), else_=0)).label("dead_v"),
        func.sum(case((is_slow, 1), else_=0)).label("slow_n"),
        func.sum(case((is_slow, value), else_=0)).label("slow_v"))).one()
    listed = session.execute(base.add_columns(Item.id, Item.sku, Item.name, stock.c.qty.label("qty"),
                                              value.label("v")).where(is_dead)
                             .order_by(value.desc(), Item.sku).limit(worst))
    return SlowDead(int(row.dead_n or 0), _value(row.dead_v), int(row.slow_n or 0), _value(row.slow_v),
                    [{"item_id": r.id, "sku": r.sku, "name": r.name, "on_hand": Decimal(r.qty) / QTY_SCALE,
                      "value": _value(r.v)} for r in listed])


# ---------------------------------------------------------------- inbound fill rate

@dataclass(frozen=True)
class FillRate:
    rate: Decimal | None           # percent of ordered quantity that arrived (capped per line)
    lines: int
    complete_lines: int            # lines that received at least what was ordered
    days: int = FILL_RATE_DAYS


def inbound_fill_rate(session: Session, *, now: datetime, days: int = FILL_RATE_DAYS) -> FillRate:
    """Purchase-order fill rate from the scorecard delivery facts, the scorecards' definition over every
    supplier: 100 × Σ min(received, ordered) / Σ ordered over PO lines first received in the window."""
    received, ordered = func.sum(_raw(DeliveryFact.qty_received)), func.max(_raw(DeliveryFact.qty_ordered))
    lines = (select(case((received < ordered, received), else_=ordered).label("filled"), ordered.label("ordered"))
             .group_by(DeliveryFact.supplier_id, DeliveryFact.po_ref, DeliveryFact.line_ref, DeliveryFact.item_id)
             .having(func.min(DeliveryFact.received_on) >= (now - timedelta(days=days)).date(),
                     func.min(DeliveryFact.received_on) <= now.date())).subquery()
    row = session.execute(select(func.sum(lines.c.filled), func.sum(lines.c.ordered), func.count(),
                                 func.sum(case((lines.c.filled >= lines.c.ordered, 1), else_=0)))).one()
    filled, total, count, complete = row
    rate = (Decimal(filled) / Decimal(total) * 100).quantize(Decimal("0.1")) if total else None
    return FillRate(rate, int(count or 0), int(complete or 0), days)
