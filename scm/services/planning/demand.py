"""Demand history: what customers and production took, per item, warehouse and day.

Three sources meet here: issues of reason sale/consumption in the ledger (net of reversals),
imported past sales, and demand posted through the API. Days out of stock are flagged, so the
forecaster treats them as unobserved instead of learning that nobody wanted the item.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import Date, bindparam, cast, func, select
from sqlalchemy.orm import Session, aliased

from scm.models import DemandRecord, Item, Promotion, StockMove, Warehouse
from scm.models.stock import DEMAND_REASONS
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ValidationFailed

Key = tuple[int, int]  # (item_id, warehouse_id)
MAX_RECORDS_PER_POST = 10_000


@dataclass
class DailyHistory:
    """Daily demand of one item in one warehouse; `stockout` days are unobserved demand."""

    quantities: dict[date, float] = field(default_factory=dict)
    stockout: set[date] = field(default_factory=set)
    promotion: dict[date, float] = field(default_factory=dict)

    def rows(self, start: date, end: date) -> tuple[list[date], list[float], list[bool], list[float]]:
        """Parallel lists for forecasting.prepare_series: every day from start to end inclusive."""
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        return (days, [self.quantities.get(d, 0.0) for d in days], [d in self.stockout for d in days],
                [self.promotion.get(d, 0.0) for d in days])


def _day(column: Any, dialect: str) -> Any:
    # PostgreSQL stores timestamptz; take the UTC calendar day explicitly, whatever the session zone.
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _scope(stmt: Any, model: Any, item_ids: list[int] | None) -> Any:
    return stmt.where(model.item_id.in_(item_ids)) if item_ids is not None else stmt


def ledger_demand(session: Session, item_ids: list[int] | None, since: date) -> dict[Key, dict[date, float]]:
    """Σ of sale/consumption issues per key and day, leaving out issues that were reversed."""
    dialect = session.get_bind().dialect.name
    reversal = aliased(StockMove)
    day = _day(StockMove.posted_at, dialect).label("day")
    stmt = (select(StockMove.item_id, StockMove.warehouse_id, day, func.sum(StockMove.qty_delta).label("qty"))
            .outerjoin(reversal, reversal.reverses_move_id == StockMove.id)
            .where(StockMove.kind == "issue", StockMove.reason.in_(DEMAND_REASONS), reversal.id.is_(None),
                   StockMove.posted_at >= datetime.combine(since, time.min, tzinfo=timezone.utc))
            .group_by(StockMove.item_id, StockMove.warehouse_id, day))
    out: dict[Key, dict[date, float]] = defaultdict(dict)
    for row in session.execute(_scope(stmt, StockMove, item_ids)):
        out[(row.item_id, row.warehouse_id)][_as_date(row.day)] = float(-row.qty)
    return out


def ledger_stockout_days(session: Session, item_ids: list[int] | None, until: date) -> dict[Key, set[date]]:
    """Days on which a key ended with nothing on hand (from each move that left 0 until the next move)."""
    following = func.lead(StockMove.posted_at).over(
        partition_by=(StockMove.item_id, StockMove.warehouse_id), order_by=StockMove.id)
    inner = _scope(select(StockMove.item_id, StockMove.warehouse_id, StockMove.posted_at,
                          StockMove.balance_after, following.label("next_at")), StockMove, item_ids).subquery()
    stmt = select(inner).where(inner.c.balance_after == 0)
    out: dict[Key, set[date]] = defaultdict(set)
    for row in session.execute(stmt):
        first = row.posted_at.date()
        # A refill later the same day means the day was (mostly) served; count full empty days only.
        last = (row.next_at.date() - timedelta(days=1)) if row.next_at else until
        for n in range((last - first).days + 1):
            out[(row.item_id, row.warehouse_id)].add(first + timedelta(days=n))
    return out


def load_histories(session: Session, *, as_of: date, item_ids: list[int] | None = None,
                   years: int = 3) -> dict[Key, DailyHistory]:
    """Every key's daily history up to the day before `as_of` (the day itself is not over yet)."""
    since = as_of - timedelta(days=365 * years)
    histories: dict[Key, DailyHistory] = defaultdict(DailyHistory)
    stmt = _scope(select(DemandRecord).where(DemandRecord.day >= since, DemandRecord.day < as_of),
                  DemandRecord, item_ids)
    for record in session.scalars(stmt.execution_options(yield_per=5000)):
        history = histories[(record.item_id, record.warehouse_id)]
        history.quantities[record.day] = history.quantities.get(record.day, 0.0) + float(record.qty)
        if record.stockout:
            history.stockout.add(record.day)
    for key, days in ledger_demand(session, item_ids, since).items():
        for day, qty in days.items():
            if day < as_of:
                histories[key].quantities[day] = histories[key].quantities.get(day, 0.0) + qty
    for key, days in ledger_stockout_days(session, item_ids, as_of - timedelta(days=1)).items():
        if key in histories:
            histories[key].stockout.update(d for d in days if d < as_of)
    _add_promotions(session, histories, item_ids, since, as_of)
    return dict(histories)


def _add_promotions(session: Session, histories: dict[Key, DailyHistory], item_ids: list[int] | None,
                    since: date, until: date) -> None:
    stmt = _scope(select(Promotion).where(Promotion.ends_on >= since, Promotion.starts_on < until), Promotion,
                  item_ids)
    for promo in session.scalars(stmt):
        key = (promo.item_id, promo.warehouse_id)
        if key not in histories:
            continue
        for n in range((min(promo.ends_on, until - timedelta(days=1)) - promo.starts_on).days + 1):
            histories[key].promotion[promo.starts_on + timedelta(days=n)] = promo.uplift


def promotions_from(session: Session, day: date, item_ids: list[int] | None) -> dict[Key, list[Promotion]]:
    """Promotions still running on or after `day`, per key (one query for a whole batch)."""
    out: dict[Key, list[Promotion]] = defaultdict(list)
    for promo in session.scalars(_scope(select(Promotion).where(Promotion.ends_on >= day), Promotion, item_ids)):
        out[(promo.item_id, promo.warehouse_id)].append(promo)
    return out


def uplift_by_day(promotions: list[Promotion], days: Iterable[date]) -> dict[date, float]:
    """The promotion regressor of each day (0 where nothing is planned)."""
    return {d: next((p.uplift for p in promotions if p.starts_on <= d <= p.ends_on), 0.0) for d in days}


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# ---------------------------------------------------------------- recording demand

def record_demand(session: Session, records: list[dict[str, Any]], *, source: str, actor: Actor,
                  today: date) -> int:
    """Store past demand rows {sku, warehouse, date, quantity, stockout}; a repeat replaces the day.

    Every row is validated first (errors name the row index and field); then all are written.
    """
    if not isinstance(records, list) or not records:
        raise ValidationFailed({"records": ["send a non-empty list of demand records"]})
    if len(records) > MAX_RECORDS_PER_POST:
        raise ValidationFailed({"records": [f"at most {MAX_RECORDS_PER_POST} records per request"]})
    items = dict(session.execute(select(Item.sku, Item.id).where(
        Item.sku.in_({str(r.get("sku")) for r in records if isinstance(r, dict)}))).all())
    warehouses = dict(session.execute(select(Warehouse.code, Warehouse.id)).all())
    rows, errors = {}, {}
    for index, record in enumerate(records):
        try:
            row = _clean_record(record, items, warehouses, today)
            rows[(row["item_id"], row["warehouse_id"], row["day"])] = row
        except ValidationFailed as failed:
            for name, messages in failed.field_errors.items():
                errors[f"records[{index}].{name}"] = messages
    if errors:
        raise ValidationFailed(errors)
    table = DemandRecord.__table__
    connection = session.connection()
    connection.execute(table.delete().where(
        table.c.source == source, table.c.item_id == bindparam("i"), table.c.warehouse_id == bindparam("w"),
        table.c.day == bindparam("d")), [{"i": i, "w": w, "d": d} for i, w, d in rows])
    connection.execute(table.insert(), [{**row, "source": source} for row in rows.values()])
    audit.record(session, actor, "demand.record", "demand", "", after={"source": source, "rows": len(rows)})
    return len(rows)


def _clean_record(record: Any, items: dict[str, int], warehouses: dict[str, int], today: date) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise ValidationFailed({"": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    item_id = items.get(str(record.get("sku")))
    if item_id is None:
        errors["sku"] = [f"no item with SKU '{record.get('sku')}'"]
    warehouse_id = warehouses.get(str(record.get("warehouse", "")).upper())
    if warehouse_id is None:
        errors["warehouse"] = [f"no warehouse with code '{record.get('warehouse')}'"]
    try:
        day = record["date"] if isinstance(record.get("date"), date) else date.fromisoformat(str(record.get("date")))
        if day > today:
            errors["date"] = ["demand cannot be in the future"]
    except ValueError:
        errors["date"] = ["a date as YYYY-MM-DD"]
        day = today
    try:
        qty = Decimal(str(record.get("quantity")))
        if not qty.is_finite() or qty < 0 or qty != qty.quantize(Decimal("0.001")):
            raise ValueError
    except Exception:
        errors["quantity"] = ["a number ≥ 0 with at most 3 decimals"]
        qty = Decimal(0)
    if errors:
        raise ValidationFailed(errors)
    return {"item_id": item_id, "warehouse_id": warehouse_id, "day": day, "qty": qty,
            "stockout": bool(record.get("stockout", False))}


def create_promotion(session: Session, data: dict[str, Any], *, actor: Actor) -> Promotion:
    """Plan a promotion (item, warehouse, first and last day, expected uplift as a fraction)."""
    errors: dict[str, list[str]] = {}
    if data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = ["the last day is before the first day"]
    if not -1 < float(data["uplift"]) <= 10:
        errors["uplift"] = ["between -0.99 and 10 (0.3 means +30%)"]
    if session.get(Warehouse, data["warehouse_id"]) is None:
        errors["warehouse_id"] = ["choose a warehouse"]
    if errors:
        raise ValidationFailed(errors)
    promo = Promotion(item_id=data["item_id"], warehouse_id=data["warehouse_id"], starts_on=data["starts_on"],
                      ends_on=data["ends_on"], uplift=float(data["uplift"]), note=str(data.get("note") or "")[:200],
                      created_by=actor.user_id)
    session.add(promo)
    session.flush()
    audit.record(session, actor, "promotion.create", "promotion", promo.id, after={
        "item_id": promo.item_id, "warehouse_id": promo.warehouse_id, "starts_on": promo.starts_on.isoformat(),
        "ends_on": promo.ends_on.isoformat(), "uplift": promo.uplift})
    return promo


def promotions_query(*, upcoming_from: date | None = None) -> Any:
    stmt = (select(Promotion, Item.sku, Warehouse.code.label("warehouse"))
            .join(Item, Item.id == Promotion.item_id).join(Warehouse, Warehouse.id == Promotion.warehouse_id))
    if upcoming_from:
        stmt = stmt.where(Promotion.ends_on >= upcoming_from)
    return stmt.order_by(Promotion.starts_on.desc(), Promotion.id.desc())
