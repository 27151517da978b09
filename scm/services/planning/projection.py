"""The projected stock of one item in one warehouse, day by day, as the plan computes it.

For the planning page (a chart and a table) and `GET /api/v1/replenishment/projection`. Nothing is
computed here: `replenishment.pair_plan` runs the plan's own loading and arithmetic for the item, so
the days, the receipts, the safety stock, reorder point and order-up-to level, the stock-out date and
the arithmetic are those the plan uses (`PairPlan.details`, `replenishment_figures`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from scm.services.kernel.errors import NotFound
from scm.services.planning import figures as replenishment_figures
from scm.services.planning import replenishment


@dataclass(frozen=True)
class ProjectionDay:
    day: date
    demand: float     # mean forecast demand of the day
    receipts: float   # open PO lines and transfers expected that day (before the day's demand)
    projected: float  # end-of-day stock: available + receipts so far − demand so far


@dataclass(frozen=True)
class Projection:
    item_id: int
    warehouse_id: int
    as_of: date
    arithmetic: dict[str, Any]   # PairPlan.details(): every figure of the suggestion's arithmetic
    figures: replenishment_figures.PairFigures
    suggested_qty: Decimal       # the open suggestions of the pair, added up
    days: list[ProjectionDay]

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), **self.arithmetic, **self.figures.as_json(),
                "suggested_qty": f"{self.suggested_qty.normalize():f}",
                "days": [{"date": d.day.isoformat(), "demand": d.demand, "receipts": d.receipts,
                          "projected": d.projected} for d in self.days]}


def projection_for(session: Session, item_id: int, warehouse_id: int, *, as_of: date) -> Projection:
    """The pair's projection from `as_of` (56 days). Raises NotFound when it has no forecast yet."""
    pair = replenishment.pair_plan(session, item_id, warehouse_id, as_of=as_of)
    if pair is None or pair.projected is None or pair.receipts is None or pair.demand is None:
        raise NotFound("no forecast for this item in this warehouse yet: the projection needs one "
                       "(planning runs the forecast nightly)")
    days = [ProjectionDay(as_of + timedelta(days=k), round(float(pair.demand[k]), 3), round(float(pair.receipts[k]), 3),
                          round(float(pair.projected[k]), 3)) for k in range(len(pair.projected))]
    suggested = replenishment_figures.suggested_quantities(session, [(item_id, warehouse_id)])
    return Projection(item_id, warehouse_id, as_of, pair.details(), pair.figures(),
                      suggested.get((item_id, warehouse_id), Decimal(0)), days)
