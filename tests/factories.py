"""Plain factory functions for tests: every object a test needs, in one call, with sane defaults."""
from __future__ import annotations

import itertools
from decimal import Decimal
from functools import lru_cache

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from scm.models import Item, Supplier, User, Warehouse
from scm.services.kernel import accounts
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One Argon2id hash for every test user (hashing is deliberately slow)."""
    return accounts.hash_password(PASSWORD)


def supplier(session: Session, code: str | None = None, **fields: object) -> Supplier:
    n = next(_seq)
    obj = Supplier(code=code or f"SUP{n}", name=fields.pop("name", f"Supplier {n}"), **fields)
    session.add(obj)
    session.flush()
    return obj


def user(session: Session, role: str = "admin", **fields: object) -> User:
    n = next(_seq)
    if role == "supplier" and "supplier_id" not in fields:
        fields["supplier_id"] = supplier(session).id
    obj = User(email=fields.pop("email", f"{role}{n}@example.com"), name=fields.pop("name", f"{role} {n}"),
               role=role, password_hash=password_hash(), **fields)
    session.add(obj)
    session.flush()
    return obj


def item(session: Session, sku: str | None = None, **fields: object) -> Item:
    n = next(_seq)
    obj = Item(sku=sku or f"SKU-{n:05d}", name=fields.pop("name", f"Item {n}"),
               unit_cost=fields.pop("unit_cost", Decimal("2.50")), **fields)
    session.add(obj)
    session.flush()
    return obj


def warehouse(session: Session, code: str | None = None, **fields: object) -> Warehouse:
    n = next(_seq)
    obj = Warehouse(code=code or f"WH{n}", name=fields.pop("name", f"Warehouse {n}"), **fields)
    session.add(obj)
    session.flush()
    return obj


def actor(label: str = "test") -> Actor:
    return Actor.system(label, via="cli")


def stock(session: Session, item_obj: Item, warehouse_obj: Warehouse, qty: Decimal | int | str) -> None:
    """Receive `qty` through the ledger (the only way stock may appear)."""
    stock_ledger.receive(session, item_id=item_obj.id, warehouse_id=warehouse_obj.id, qty=Decimal(str(qty)),
                         actor=actor())


def login(client: FlaskClient, session: Session, user_obj: User) -> User:
    """Log `user_obj` in on `client` by opening a real server-side session (no password round trip)."""
    token = accounts.start_session(session, user_obj)
    session.commit()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = token
        flask_session["_fresh"] = True
    user_obj.session_token = token
    return user_obj


def api_token(session: Session, user_obj: User) -> str:
    _token, clear = accounts.create_api_token(session, user_obj, "test", actor=actor())
    session.commit()
    return clear


def forecast(session: Session, item_obj: Item, warehouse_obj: Warehouse, *, weeks: int = 4, level: float = 10.0):
    """A finished forecast run holding one flat weekly forecast (for pages and the API)."""
    from datetime import date, timedelta

    from scm.models import Forecast, ForecastRun
    run = ForecastRun(as_of=date(2026, 1, 5), trigger="cli", status="ok", series_total=1, series_done=1)
    session.add(run)
    session.flush()
    starts = [(date(2026, 1, 5) + timedelta(weeks=k)).isoformat() for k in range(weeks)]
    row = Forecast(run_id=run.id, item_id=item_obj.id, warehouse_id=warehouse_obj.id, freq="W", model="ses",
                   classification="smooth", history_end=date(2026, 1, 4), period_starts=starts,
                   mean=[level] * weeks, lo80=[level * 0.8] * weeks, hi80=[level * 1.2] * weeks,
                   lo95=[level * 0.6] * weeks, hi95=[level * 1.4] * weeks, sigma=[level * 0.15] * weeks,
                   backtest=[{"model": "ses", "mase": 0.8, "wape": 0.2, "bias": 0.01, "n_origins": 3, "error": None}],
                   params={"alpha": 0.3}, warnings=[], mase=0.8, wape=0.2, bias=0.01)
    session.add(row)
    session.flush()
    return row


def catalog(session: Session, supplier_obj: Supplier, item_obj: Item, *, moq: str = "0", multiple: str = "1",
            lead: int = 7, breaks: list[dict] | None = None):  # type: ignore[no-untyped-def]
    """A primary catalog entry (through the service) with price breaks, for purchasing tests."""
    from scm.services.suppliers import catalog as supplier_catalog
    return supplier_catalog.create_entry(session, {
        "supplier_id": supplier_obj.id, "item_id": item_obj.id, "role": "primary", "capacity_per_week": "100000",
        "lead_time_days": lead, "moq": moq, "order_multiple": multiple,
        "price_breaks": breaks if breaks is not None else [{"min_qty": "0", "unit_price": "2.00"}]}, actor=actor())


def purchase_order(session: Session, supplier_obj: Supplier, warehouse_obj: Warehouse,
                   lines: list[tuple[Item, object]], *, status: str = "draft", as_of=None, now=None):  # type: ignore[no-untyped-def]
    """A purchase order through the purchasing service, taken to `status` (draft, approved or sent)."""
    from datetime import date, datetime, timezone

    from scm.services.purchasing import orders as purchasing
    as_of = as_of or date(2026, 3, 2)
    now = now or datetime(as_of.year, as_of.month, as_of.day, 9, tzinfo=timezone.utc)
    order, _warnings = purchasing.create_draft(
        session, supplier_id=supplier_obj.id, warehouse_id=warehouse_obj.id, actor=actor(), as_of=as_of,
        lines=[(item_obj.id, Decimal(str(qty)), None) for item_obj, qty in lines])
    if status in ("approved", "sent"):
        purchasing.submit(session, order.id, actor=actor(), now=now)
        purchasing.approve(session, order.id, actor=Actor.system("approver", via="cli"), now=now)
    if status == "sent":
        purchasing.send(session, order.id, actor=actor(), now=now)
    return order
