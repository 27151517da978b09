"""Demand totals over a window of days, set-based: the one definition behind the dashboard's turnover,
days of inventory, slow and dead stock, and the planning page's "demand in the last 90 / 365 days".

Demand is what the forecaster learns from (`scm.services.planning.demand.load_histories`): issues of reason
sale or consumption in the ledger that were not reversed, plus imported demand records (spreadsheet,
API, demo), days out of stock included with what they record. The window of `days` days is calendar
days in UTC: from `today − (days − 1)` through today, today counting with what was posted so far (the
forecaster's history stops the day before, since today is not over; over the same days the two agree,
which `tests/services/test_demand_totals.py` checks).

Quantities are summed on the stored scaled integers (×10^3): exact and cheap, whatever the size.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, cast, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from scm.models import DemandRecord, StockMove
from scm.models.stock import DEMAND_REASONS

QTY_SCALE = Decimal(10**3)
PLANNING_WINDOWS = (90, 365)   # the planning page's "demand in the last N days" (the dashboard's windows)


@dataclass(frozen=True)
class Window:
    """`days` calendar days ending with `now`'s day: first_day 00:00 UTC through `now`."""

    now: datetime
    days: int

    @property
    def first_day(self) -> date:
        return self.now.date() - timedelta(days=self.days - 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=timezone.utc)

    @property
    def label(self) -> str:
        return f"{self.first_day.isoformat()} to {self.now.date().isoformat()}"


def _int(column: Any) -> Any:
    return type_coerce(column, BigInteger)


def day_of(column: Any, dialect: str) -> Any:
    """The UTC calendar day of a timestamp column (PostgreSQL keeps timestamptz: convert explicitly)."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def reversed_demand(start: datetime, now: datetime) -> Any:
    """(item_id, warehouse_id, qty) of sale/consumption issues posted in [start, now] that a reversal
    posted by `now` undid. Driven from the reversals (few, through the unique reverses_move_id index)
    to their originals by primary key, never by probing every move of the window."""
    original = aliased(StockMove)
    reversed_ids = select(StockMove.reverses_move_id).where(StockMove.reverses_move_id.is_not(None),
                                                            StockMove.posted_at <= now)
    return (select(original.item_id.label("item_id"), original.warehouse_id.label("warehouse_id"),
                   (-_int(original.qty_delta)).label("qty"))
            .where(original.id.in_(reversed_ids), original.kind == "issue", original.reason.in_(DEMAND_REASONS),
                   original.posted_at >= start, original.posted_at <= now))


def demand_rows(window: Window, item_ids: list[int] | None = None) -> Any:
    """Every demand fact of the window as (item_id, warehouse_id, qty ×10^3): ledger issues, minus the
    reversed ones, plus imported records. A UNION ALL to group as the caller needs."""
    ledger = (select(StockMove.item_id.label("item_id"), StockMove.warehouse_id.label("warehouse_id"),
                     (-_int(StockMove.qty_delta)).label("qty"))
              .where(StockMove.kind == "issue", StockMove.reason.in_(DEMAND_REASONS),
                     StockMove.posted_at >= window.start, StockMove.posted_at <= window.now))
    undone = reversed_demand(window.start, window.now)
    imported = (select(DemandRecord.item_id.label("item_id"), DemandRecord.warehouse_id.label("warehouse_id"),
                       _int(DemandRecord.qty).label("qty"))
                .where(DemandRecord.day >= window.first_day, DemandRecord.day <= window.now.date()))
    if item_ids is not None:
        ledger = ledger.where(StockMove.item_id.in_(item_ids))
        imported = imported.where(DemandRecord.item_id.in_(item_ids))
    undone_sq = undone.subquery()
    minus = select(undone_sq.c.item_id, undone_sq.c.warehouse_id, -undone_sq.c.qty)
    if item_ids is not None:
        minus = minus.where(undone_sq.c.item_id.in_(item_ids))
    return ledger.union_all(minus, imported).subquery()


def demand_by_item(window: Window) -> Any:
    """Subquery item_id -> qty (×10^3) demanded in the window, every warehouse together."""
    rows = demand_rows(window)
    return select(rows.c.item_id, func.sum(rows.c.qty).label("qty")).group_by(rows.c.item_id).subquery()


def key_demand(session: Session, item_id: int, warehouse_id: int, *, now: datetime, days: int) -> Decimal:
    """The quantity of one item demanded in one warehouse over the window (what the planning page shows)."""
    rows = demand_rows(Window(now, days), [item_id])
    total = session.scalar(select(func.sum(rows.c.qty)).where(rows.c.warehouse_id == warehouse_id))
    return Decimal(total or 0) / QTY_SCALE
