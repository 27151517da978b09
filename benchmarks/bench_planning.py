"""The replenishment planning run for 10,000 items × 3 warehouses once forecasts exist (goal ≤ 30 s).

Fills a database with items, balances, one weekly forecast per item × warehouse, two suppliers per
item (primary and backup, with price breaks), delivery facts for actual lead times and open purchase
orders, then times `replenishment.plan` (loading, projection, suggestions, warnings, bulk writes)
and prints the seconds, the suggestions and the warnings by severity.
"""
from __future__ import annotations

import json
import os
import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert

from benchmarks.common import SECRET, Timer, database, fill_big, kinds

ITEMS = int(os.environ.get("SCM_BENCH_PLAN_ITEMS", "10000"))
WAREHOUSES = 3
AS_OF = date(2026, 3, 2)


def _forecast_rows(run_id: int, rng: random.Random) -> list[dict]:
    starts = [(AS_OF + timedelta(weeks=k)).isoformat() for k in range(13)]
    rows = []
    for item_id in range(1, ITEMS + 1):
        for warehouse_id in range(1, WAREHOUSES + 1):
            level = rng.choice((2.0, 7.0, 20.0, 70.0))
            rows.append({"run_id": run_id, "item_id": item_id, "warehouse_id": warehouse_id, "freq": "W",
                         "model": "ses", "classification": "smooth", "history_end": AS_OF - timedelta(days=1),
                         "period_starts": starts, "mean": [level] * 13, "lo80": [level * 0.8] * 13,
                         "hi80": [level * 1.2] * 13, "lo95": [level * 0.6] * 13, "hi95": [level * 1.4] * 13,
                         "sigma": [level * 0.3] * 13, "backtest": [], "params": {}, "warnings": []})
    return rows


def fill_planning(session) -> None:  # type: ignore[no-untyped-def]
    """Forecasts, suppliers, catalog entries with price breaks, delivery facts and open orders."""
    from scm.models import (
        CatalogEntry, DeliveryFact, Forecast, ForecastRun, PriceBreak, PurchaseOrder, PurchaseOrderLine, Supplier,
    )
    rng = random.Random(7)
    run = ForecastRun(as_of=AS_OF, trigger="cli", status="ok")
    session.add_all([run, Supplier(code="PRIMARY", name="Primary"), Supplier(code="BACKUP", name="Backup")])
    session.flush()
    rows = _forecast_rows(run.id, rng)
    for start in range(0, len(rows), 5000):
        session.execute(insert(Forecast), rows[start:start + 5000])
    entries = [{"supplier_id": s, "item_id": i, "role": role, "lead_time_days": lead, "moq": Decimal(10),
                "order_multiple": Decimal(5), "capacity_per_week": Decimal(cap)}
               for i in range(1, ITEMS + 1) for s, role, lead, cap in ((1, "primary", 10, 200), (2, "backup", 5, 100000))]
    session.execute(insert(CatalogEntry), entries)
    session.execute(insert(PriceBreak), [{"entry_id": e, "min_qty": Decimal(0), "unit_price": Decimal("2.5"),
                                          "currency": "USD"} for e in range(1, 2 * ITEMS + 1)])
    session.execute(insert(DeliveryFact), [
        {"supplier_id": 1, "item_id": i, "ordered_on": AS_OF - timedelta(days=30 * k + 40),
         "promised_on": AS_OF - timedelta(days=30 * k + 30), "received_on": AS_OF - timedelta(days=30 * k + 40 - 9 - k),
         "qty_ordered": Decimal(10), "qty_received": Decimal(10), "unit_price": Decimal(2), "currency": "USD",
         "stated_lead_time_days": 10, "receipt_ref": f"R{i}-{k}"} for i in range(1, ITEMS + 1, 3) for k in range(3)])
    orders = [{"number": f"PO-B{n:05d}", "supplier_id": 1, "warehouse_id": n % WAREHOUSES + 1, "currency": "USD",
               "status": "sent", "ordered_on": AS_OF - timedelta(days=3)} for n in range(200)]
    session.execute(insert(PurchaseOrder), orders)
    session.execute(insert(PurchaseOrderLine), [
        {"po_id": n % 200 + 1, "item_id": (n * 37) % ITEMS + 1, "qty_ordered": Decimal(50), "unit_price": Decimal(2),
         "stated_lead_time_days": 10} for n in range(4000)])
    session.commit()


def measure(url: str) -> dict:
    from datetime import datetime, timezone

    from scm.app import create_app
    from scm.extensions import db
    from scm.services.planning import replenishment, warnings as stock_warnings
    from scm.services.kernel.actors import Actor
    fill_big(url, ITEMS, ITEMS * 3, WAREHOUSES)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False})
    with app.app_context():
        fill_planning(db.session)
        now = datetime(2026, 3, 2, 4, tzinfo=timezone.utc)
        with Timer() as first:
            run = replenishment.plan(db.session, as_of=AS_OF, actor=Actor.system("bench"), now=now)
            db.session.commit()
        with Timer() as second:  # warnings now exist: the update path
            replenishment.plan(db.session, as_of=AS_OF, actor=Actor.system("bench"), now=now)
            db.session.commit()
        out = {"pairs": run.pairs, "suggestions": run.suggestions, "first_run_s": round(first.seconds, 1),
               "second_run_s": round(second.seconds, 1), "warnings": stock_warnings.counts(db.session)}
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    for kind in kinds():
        with database(kind) as url:
            result = measure(url)
        print(f"planning run, {ITEMS} items × {WAREHOUSES} warehouses on {kind}: {result['first_run_s']} s "
              f"(goal ≤ 30 s); again with warnings in place: {result['second_run_s']} s")
        print(json.dumps({"benchmark": "planning", "database": kind, **result}))


if __name__ == "__main__":
    main()
