"""Demand histories for the policy simulation tests: daily demand rows over fixed dates."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from scm.models import DemandRecord, Item, Warehouse

#: A Monday: simulations in the tests run as of this day, so the last complete week ends the day before.
AS_OF = date(2026, 3, 2)


def daily_demand(session: Session, item: Item, warehouse: Warehouse, *, weeks: int = 60, level: float = 10.0,
                 noise: float = 0.0, seed: int = 0, as_of: date = AS_OF) -> None:
    """`weeks` weeks of daily demand ending the day before `as_of` (level per day, optional noise)."""
    rng = np.random.default_rng(seed)
    first = as_of - timedelta(weeks=weeks)
    rows = []
    for n in range(weeks * 7):
        qty = max(0.0, round(level + (rng.normal(0, noise) if noise else 0.0)))
        rows.append(DemandRecord(item_id=item.id, warehouse_id=warehouse.id, day=first + timedelta(days=n),
                                 qty=Decimal(str(qty)), stockout=False, source="import"))
    session.add_all(rows)
    session.flush()
