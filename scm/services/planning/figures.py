"""The figures of one item × warehouse that many places show, each computed by one function.

Stock-out date, quantity short and days of cover come from `PairPlan.figures` (built from the
helpers here); the plan
stores them on the warning and in every suggestion's arithmetic, and the planning page and the
projection API compute them through the same plan code. The suggested quantity of a pair is
`suggested_quantities` (the open suggestion lines added up). The warnings page, the suggestions page,
the planning page, the dashboard panel, the API and the Excel export all read these, so the same
pair never shows two different numbers (tests/web/test_replenishment_figures.py compares them).

Precision is part of the figure: quantity short in the decimals of the item's unit of measure,
rounded up (short 6.2 of an item counted in each is short 7: that is what must come), days of cover
to 0.1 days.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from scm.models import Suggestion

QTY = Decimal("0.001")
COVER = Decimal("0.1")
ZERO = Decimal(0)


@dataclass(frozen=True)
class PairFigures:
    stockout_on: date | None
    qty_short: Decimal
    days_of_cover: Decimal | None  # None: no demand is forecast

    def as_json(self) -> dict[str, Any]:
        return {"stockout_on": self.stockout_on.isoformat() if self.stockout_on else None,
                "qty_short": str(self.qty_short.quantize(QTY)),  # as the stored warning gives it
                "days_of_cover": None if self.days_of_cover is None else str(self.days_of_cover)}


def cover(days: float | None) -> Decimal | None:
    """Days of cover as shown everywhere: to 0.1 day (half up)."""
    return None if days is None else Decimal(repr(float(days))).quantize(COVER, rounding=ROUND_HALF_UP)


def short(qty: float | Decimal, decimals: int = 3) -> Decimal:
    """A quantity short as shown everywhere: rounded up to the unit's decimals, never negative. (The
    float is first rounded to the ledger's 0.001, so 6.0000001 of float noise is 6, not 7.)"""
    exact = Decimal(repr(float(qty))).quantize(QTY, rounding=ROUND_HALF_UP)
    return max(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_CEILING), ZERO)


def from_json(data: dict[str, Any]) -> PairFigures:
    """The figures a plan stored with a suggestion's arithmetic (`PairFigures.as_json`)."""
    stockout = data.get("stockout_on")
    days = data.get("days_of_cover")
    return PairFigures(date.fromisoformat(stockout) if stockout else None, Decimal(str(data.get("qty_short", "0"))),
                       None if days is None else Decimal(str(days)))


def suggested_quantities(session: Session, keys: Iterable[tuple[int, int]] | None = None
                         ) -> dict[tuple[int, int], Decimal]:
    """(item, warehouse) -> the quantity of its open suggestion lines (transfers and buys, after edits);
    one query. Pairs without an open suggestion are absent (their suggested quantity is 0)."""
    stmt = (select(Suggestion.item_id, Suggestion.warehouse_id, func.sum(Suggestion.qty))
            .where(Suggestion.status == "open").group_by(Suggestion.item_id, Suggestion.warehouse_id))
    if keys is not None:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        stmt = stmt.where(tuple_(Suggestion.item_id, Suggestion.warehouse_id).in_(wanted))
    return {(item_id, warehouse_id): Decimal(total) for item_id, warehouse_id, total in session.execute(stmt)}
