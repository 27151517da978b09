"""Demo data: three warehouses, ~200 items, two years of daily demand, users for every role.

Deterministic (fixed random seed) so that screenshots and tests see the same living system.
"""
from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from scm.demo import dashboard as demo_dashboard
from scm.demo import logistics as demo_logistics
from scm.demo import suppliers as demo_suppliers
from scm.models import DemandRecord, Item, Supplier, User
from scm.services.kernel import accounts
from scm.services.kernel.actors import Actor
from scm.services.stock import ledger as stock_ledger
from scm.services.stock import masterdata
from scm.services.suppliers import scorecards

DEMO_PASSWORD = "scm-demo-2026"
DEMO_USERS = [("admin@demo.local", "Ada Admin", "admin"), ("buyer@demo.local", "Ben Buyer", "buyer"),
              ("warehouse@demo.local", "Wes Warehouse", "warehouse"), ("viewer@demo.local", "Vi Viewer", "viewer"),
              ("supplier@demo.local", "Sam Supplier", "supplier")]
WAREHOUSES = [("WH-EAST", "East distribution centre", "12 Harbour Rd, Newark NJ", 40.7357, -74.1724),
              ("WH-WEST", "West distribution centre", "800 Port Way, Oakland CA", 37.8044, -122.2712),
              ("WH-CENT", "Central warehouse", "55 Rail St, Kansas City MO", 39.0997, -94.5786)]
CATEGORIES = {"Fasteners": ("Hex bolt", "Lock nut", "Washer", "Wood screw", "Rivet"),
              "Electrical": ("Cable tie", "Fuse", "Relay", "Terminal block", "Connector"),
              "Packaging": ("Carton", "Pallet wrap", "Tape roll", "Bubble bag", "Label roll"),
              "Safety": ("Glove pair", "Safety glasses", "Ear plugs", "Hi-vis vest", "Hard hat"),
              "Hydraulics": ("O-ring", "Hose fitting", "Seal kit", "Filter", "Valve")}
SIZES = ("XS", "S", "M", "L", "XL", "M6", "M8", "M10")


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Item))


def seed(session: Session, *, today: date, items: int = 200, days: int = 730) -> dict[str, int]:
    """Load the demo data set (the caller commits). Demand ends the day before `today`."""
    rng = np.random.default_rng(20261125)
    actor = Actor.system("seed-demo", via="cli")
    supplier = Supplier(code="ACME", name="Acme Industrial Supply")
    session.add_all([supplier, Supplier(code="GLOBEX", name="Globex Components")])
    session.flush()
    for email, name, role in DEMO_USERS:
        accounts.create_user(session, {"email": email, "name": name, "role": role,
                                       "supplier_id": supplier.id if role == "supplier" else None,
                                       "approval_limit": 5000 if role == "buyer" else 0},
                             password=DEMO_PASSWORD, actor=actor)
    warehouses = [masterdata.create_warehouse(session, {"code": c, "name": n, "address": a, "latitude": la,
                                                        "longitude": lo}, actor=actor)
                  for c, n, a, la, lo in WAREHOUSES]
    created = _items(session, rng, items, actor)
    records = 0
    for index, item in enumerate(created):
        stocked = warehouses if index % 3 == 0 else [warehouses[index % 3], warehouses[(index + 1) % 3]]
        for warehouse in stocked:
            daily = _demand(rng, index, days)
            records += _store_demand(session, item.id, warehouse.id, daily, today)
            cover = Decimal(int(max(5, daily[-60:].mean() * rng.uniform(10, 45))))
            stock_ledger.receive(session, item_id=item.id, warehouse_id=warehouse.id, qty=cover, actor=actor,
                                 unit_cost=item.unit_cost, note="opening stock")
    demo_suppliers.seed_suppliers(session, created, warehouses, today, rng, actor)
    demo_logistics.seed_logistics(session, today, actor)
    activity = demo_dashboard.seed_activity(session, today=today, actor=actor)
    scorecards.refresh(session, today)   # again: the orders and late shipment seeded since count (overdue lines)
    session.flush()
    return {"items": len(created), "warehouses": len(warehouses), "demand_records": records, **activity}


def _items(session: Session, rng: np.random.Generator, count: int, actor: Actor) -> list[Item]:
    names = [(cat, base) for cat, bases in CATEGORIES.items() for base in bases]
    out = []
    for n in range(count):
        category, base = names[n % len(names)]
        size = SIZES[(n // len(names)) % len(SIZES)]
        cost = Decimal(str(round(float(rng.lognormal(1.5, 1.0)), 2))) + Decimal("0.05")
        out.append(masterdata.create_item(session, {
            "sku": f"{category[:3].upper()}-{n + 1:04d}", "name": f"{base} {size}", "category": category,
            "uom": "pair" if "pair" in base else "ea", "unit_cost": cost,
            "abc_class": "A" if n % 10 == 0 else ("B" if n % 10 < 4 else "C"), "is_core": n % 7 == 0},
            actor=actor))
    return out


def _demand(rng: np.random.Generator, index: int, days: int) -> np.ndarray:
    """Daily demand: smooth items with trend and yearly + weekly seasonality, or intermittent ones."""
    t = np.arange(days)
    if index % 4 == 3:  # intermittent: rare orders of varying size
        hits = rng.random(days) < rng.uniform(0.03, 0.15)
        return np.where(hits, rng.poisson(rng.uniform(2, 12), days) + 1, 0).astype(float)
    level = rng.uniform(2, 40)
    trend = 1 + rng.uniform(-0.2, 0.5) * t / days
    yearly = 1 + rng.uniform(0, 0.4) * np.sin(2 * math.pi * (t / 365.25 + rng.uniform(0, 1)))
    weekly = np.where(t % 7 >= 5, 0.4, 1.1)
    return rng.poisson(np.clip(level * trend * yearly * weekly, 0.05, None)).astype(float)


def _store_demand(session: Session, item_id: int, warehouse_id: int, daily: np.ndarray, today: date) -> int:
    start = today - timedelta(days=len(daily))
    rows = [{"item_id": item_id, "warehouse_id": warehouse_id, "day": start + timedelta(days=int(d)),
             "qty": Decimal(int(q)), "stockout": False, "source": "demo"}
            for d, q in enumerate(daily) if q > 0]
    if rows:
        session.execute(insert(DemandRecord), rows)
    return len(rows)


def demo_users() -> list[tuple[str, str]]:
    return [(email, role) for email, _name, role in DEMO_USERS]


def is_demo_user(user: User) -> bool:
    return user.email in {email for email, _n, _r in DEMO_USERS}
