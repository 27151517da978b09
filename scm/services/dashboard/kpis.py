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

from sqlalchemy import BigInteger, Numeric, and_, case, cast, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from scm.models import DemandRecord, Item, StockBalance, StockMove, Warehouse
from scm.models.scorecards import DeliveryFact
from scm.services.planning import demand_totals
from scm.services.stock import queries as stock_queries

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

StockValue = stock_queries.StockValue   # the dashboard's panel data (snapshots name the class)


def stock_value(session: Session) -> StockValue:
    """Σ on hand × unit cost, per warehouse and in total (`stock_queries.stock_values`, the one function)."""
    return stock_queries.stock_values(session)


@dataclass(frozen=True)
class Turnover:
    cogs: Decimal                  # value of demand over the window (demand_totals: ledger + imported)
    opening_value: Decimal         # stock value at the window's start (today's unit costs)
    closing_value: Decimal         # stock value now
    turnover: Decimal | None       # cogs / average inventory value
    days_of_inventory: Decimal | None  # average inventory value / cogs × window days
    days: int = TURNOVER_DAYS
    average: Decimal | None = None     # mean of the daily closing stock values the ledger covers
    covered_days: int = 0              # days of the window the average is taken over
    first_day: date | None = None      # the window's first day (through today)

    @property
    def average_value(self) -> Decimal:
        if self.average is not None:
            return self.average
        return ((self.opening_value + self.closing_value) / 2).quantize(CENT)


def _daily_value_changes(session: Session, start: datetime, now: datetime) -> dict[date, Decimal]:
    """day -> Σ qty × unit cost of every move posted that day in [start, now] (raw ×10^7).
    One grouped pass over the window's moves by (item, day), then × unit cost per item and day."""
    day = demand_totals.day_of(StockMove.posted_at, session.get_bind().dialect.name)
    per = (select(StockMove.item_id, day.label("day"), func.sum(_int(StockMove.qty_delta)).label("net"))
           .where(StockMove.posted_at >= start, StockMove.posted_at <= now)
           .group_by(StockMove.item_id, day).subquery())
    rows = session.execute(select(per.c.day, func.sum(per.c.net * _raw(Item.unit_cost)))
                           .select_from(per).join(Item, Item.id == per.c.item_id).group_by(per.c.day))
    return {_as_date(d): Decimal(v or 0) for d, v in rows}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def turnover(session: Session, *, now: datetime, closing_value: Decimal, days: int = TURNOVER_DAYS) -> Turnover:
    """Inventory turnover over the last `days` calendar days (through today).

    COGS = demand of the window (`demand_totals`: what the forecaster learns from) × unit cost.
    Average inventory = mean of the daily closing stock values, walked back from today's value through
    the ledger's moves; days before the ledger's first move are left out (the ledger did not exist yet:
    an imported demand history may be older). Opening value = the value before the window's first day.
    Turnover = COGS / average; days of inventory = average / COGS × days.
    """
    window = demand_totals.Window(now, days)
    demand = demand_totals.demand_by_item(window)
    demanded = session.scalar(select(func.sum(cast(demand.c.qty, Numeric) * _raw(Item.unit_cost)))
                              .select_from(demand).join(Item, Item.id == demand.c.item_id))
    changes = _daily_value_changes(session, window.start, now)
    opening = closing_value - _value(sum(changes.values(), Decimal(0)))
    first_move = session.scalar(select(func.min(StockMove.posted_at)))
    covered_from = max(window.first_day, first_move.date()) if first_move is not None else window.first_day
    raw_value, values = opening * VALUE_SCALE, []
    for n in range(days):
        day = window.first_day + timedelta(days=n)
        raw_value += changes.get(day, Decimal(0))
        if day >= covered_from:
            values.append(raw_value)
    average = _value(sum(values, Decimal(0)) / len(values)) if values else closing_value
    cogs = _value(demanded)
    rate = (cogs / average).quantize(CENT) if average > 0 else None
    cover = (average / cogs * days).quantize(Decimal("0.1")) if cogs > 0 else None
    return Turnover(cogs, opening, closing_value, rate, cover, days, average, len(values), window.first_day)


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


def slow_and_dead(session: Session, *, now: datetime, worst: int = 8) -> SlowDead:
    """Per active item with stock: dead when nothing was demanded in the last 90 days; slow-moving when
    there was demand but on hand exceeds 180 days of it at that rate (on hand > 2 × 90-day demand).
    Demand is `demand_totals` over the last 90 calendar days (through today), as on the planning page."""
    demand = demand_totals.demand_by_item(demand_totals.Window(now, DEAD_DAYS))
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
